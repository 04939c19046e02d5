"""`bankdesk serve` in a child process, for tests of the service as a user starts it."""

import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

SCRIPT = Path(sys.executable).with_name("bankdesk")
START_TIMEOUT, STOP_TIMEOUT = 60.0, 15.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """`bankdesk serve` in a child process, its stderr read line by line as it comes."""

    def __init__(self, env: dict[str, str], cwd: Path, *options: str) -> None:
        self.url = f"http://127.0.0.1:{_free_port()}"
        self.process = subprocess.Popen(
            [str(SCRIPT), "serve", "--port", self.url.rsplit(":", 1)[1], *options],
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.stderr: list[str] = []
        self._lines: queue.Queue[str] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)
            self._lines.put(line)

    @property
    def output(self) -> str:
        return "".join(self.stderr)

    def wait_for_line(self, pattern: re.Pattern[str]) -> re.Match[str]:
        """The first stderr line from now on that matches, within the start timeout."""
        deadline = time.monotonic() + START_TIMEOUT
        while (remaining := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=min(remaining, 0.5))
            except queue.Empty:
                if self.process.poll() is not None and not self._reader.is_alive():
                    pytest.fail(f"serve exited ({self.process.returncode}):\n{self.output}")
                continue
            if match := pattern.search(line):
                return match
        pytest.fail(f"serve printed no line matching {pattern.pattern!r}:\n{self.output}")

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve exited ({self.process.returncode}):\n{self.output}")
            try:
                if httpx.get(f"{self.url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        pytest.fail(f"{self.url}/health/ready never answered 200:\n{self.output}")

    def stop(self) -> int:
        """Interrupt the server as Ctrl+C would, and reap it; its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()
                pytest.fail(f"serve did not stop within {STOP_TIMEOUT} s of SIGINT")
        self._reader.join(timeout=5)
        return self.process.returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=STOP_TIMEOUT)


@dataclass(frozen=True, slots=True)
class Demo:
    """A service started with the demo bank and its review tasks, and keys to sign in with."""

    url: str
    admin: str
    underwriters: tuple[str, str]
    review_tasks: int


def create_key(env: dict[str, str], cwd: Path, *, role: str, name: str) -> str:
    """`bankdesk keys create` on the service's database; the key it prints."""
    done = subprocess.run(
        [str(SCRIPT), "keys", "create", "--role", role, "--name", name],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env=env,
        cwd=cwd,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
