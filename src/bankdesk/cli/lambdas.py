"""`bankdesk lambda serve`: the Lambda Invoke API on loopback, for development and tests."""

import ipaddress
import os
import socket
from typing import Annotated

import typer
import uvicorn

from bankdesk.cli.errors import reports_errors, stderr
from bankdesk.runtime.catalog import CATALOG
from bankdesk.runtime.endpoint import LocalLambda, as_deployed, create_endpoint

lambda_app = typer.Typer(help="Run bankdesk's AWS Lambda functions on this machine.")


@lambda_app.command("serve")
@reports_errors
def serve(
    host: Annotated[str, typer.Option(help="Loopback address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to listen on (0: any free port).")
    ] = 9001,
) -> None:
    """Serve the Lambda Invoke API; each function runs in its own processes through AWS's
    Runtime Interface Client, with the function's time limit, on this shell's BANKDESK_*
    settings (the router fans out through this endpoint). Point boto3 here with
    endpoint_url (or AWS_ENDPOINT_URL_LAMBDA)."""
    if not _loopback(host):
        # The endpoint has no authentication, and its configuration API sets database URLs.
        raise typer.BadParameter(f"{host} is not a loopback address", param_hint="--host")
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Without it every request on a kept-alive connection waited ~40 ms for a delayed ACK.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind((host, port))
    # Listening before the address is announced: a client that connects at once waits in
    # the backlog until the server accepts, instead of being refused.
    listener.listen(socket.SOMAXCONN)
    url = f"http://{host}:{listener.getsockname()[1]}"
    functions = LocalLambda(as_deployed(CATALOG, url), environment=dict(os.environ))
    stderr.print(f"Lambda endpoint at {url}", markup=False)
    for spec in CATALOG.values():
        stderr.print(
            f"  {spec.name}  ({spec.handler}, {spec.timeout_seconds:g} s, {spec.memory_mb} MB)",
            markup=False,
        )
    stderr.print(
        f"try: BANKDESK_EXECUTOR=lambda BANKDESK_LAMBDA_ENDPOINT_URL={url} bankdesk serve",
        markup=False,
    )
    config = uvicorn.Config(
        create_endpoint(functions), log_level="warning", access_log=False, lifespan="on"
    )
    uvicorn.Server(config).run(sockets=[listener])


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
