"""`bankdesk lambda serve` in a subprocess for tests, and boto3 clients pointed at it."""

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import boto3
from botocore.config import Config

from bankdesk.runtime.catalog import CATALOG
from bankdesk.runtime.endpoint import as_deployed

READY = re.compile(r"Lambda endpoint at (http://\S+)")
# boto3 signs every request; the local endpoint checks no signature, so any key does.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


@contextmanager
def lambda_endpoint(**environment: str) -> Iterator[str]:
    """Start the local endpoint on a free port; yields its URL and stops it afterwards."""
    env = {**os.environ, **environment}
    command = [sys.executable, "-c", "from bankdesk.cli.app import main; main()"]
    command += ["lambda", "serve", "--port", "0"]
    process = subprocess.Popen(
        command, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    assert process.stderr is not None
    url = None
    for line in process.stderr:
        if match := READY.search(line):
            url = match.group(1)
            break
    if url is None:
        process.kill()
        raise RuntimeError(f"bankdesk lambda serve did not start (exit {process.wait()})")
    # Keep reading so a chatty sandbox never blocks on a full pipe.
    threading.Thread(target=process.stderr.read, daemon=True).start()
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=15)


def lambda_client(url: str, **config: Any) -> Any:
    """A boto3 Lambda client for the endpoint, with throwaway credentials."""
    return boto3.client(
        "lambda",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"total_max_attempts": 1}, read_timeout=60, **config),
    )


def point_functions_at(url: str, database_url: str, **variables: str) -> None:
    """Give every function this database and its catalog settings back (a new configuration:
    warm sandboxes retire); the router fans out through the endpoint, as it does on AWS."""
    client = lambda_client(url)
    deployed = as_deployed(CATALOG, url)

    def configure(name: str) -> None:
        own = deployed[name].environment
        client.update_function_configuration(
            FunctionName=name,
            Timeout=round(CATALOG[name].timeout_seconds),
            Environment={"Variables": {"BANKDESK_DATABASE_URL": database_url, **own, **variables}},
        )
        client.delete_function_concurrency(FunctionName=name)

    with ThreadPoolExecutor(len(CATALOG)) as pool:
        list(pool.map(configure, CATALOG))
