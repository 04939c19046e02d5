"""`bankdesk lambda serve` stops cleanly: no sandbox process outlives it."""

import os
import time
from pathlib import Path

from tests.support.lambda_endpoint import lambda_client, lambda_endpoint, point_functions_at


def _parents() -> dict[int, int]:
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we looked
            continue
        if fields[0] != "Z":  # a zombie has ended; only its exit status is left
            parents[int(stat.parent.name)] = int(fields[1])
    return parents


def _descendants(root: int) -> set[int]:
    parents, found, frontier = _parents(), set(), {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _endpoint_process() -> int:
    for pid in _descendants(os.getpid()):
        try:
            if b"lambda\x00serve" in Path(f"/proc/{pid}/cmdline").read_bytes():
                return pid
        except OSError:
            continue
    raise AssertionError("no `bankdesk lambda serve` process among this test's children")


async def test_stopping_the_endpoint_stops_every_sandbox(database_url) -> None:
    with lambda_endpoint() as url:
        point_functions_at(url, database_url)
        client = lambda_client(url)
        for name in ("general-support-agent", "compliance-review-agent"):
            client.invoke(
                FunctionName=name, Payload=b'{"message": "How do I order a cheque book?"}'
            )
        started = _descendants(_endpoint_process())
        assert len(started) >= 3  # the fork server and a warm sandbox per function

    # The sandboxes end with the endpoint; the fork server sees its parent gone and follows.
    for _ in range(100):
        left = started & set(_parents())
        if not left:
            break
        time.sleep(0.1)
    assert left == set()
