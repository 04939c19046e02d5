"""Real Chromium (Debian's `chromium`, driven by Playwright; no browser is downloaded) on the
console of a real `bankdesk serve --demo-data`, on SQLite and on PostgreSQL.

Without Chromium the tests are skipped with a message saying how to get it, except in CI
(`CI` set), where a missing browser is a failure.
"""

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from tests.support.databases import empty_postgres_database, require_postgres
from tests.support.served import SCRIPT, Demo, Server, create_key

# As root in a sandbox: no setuid sandbox; and no calls home, which a closed network refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADMIN_KEY_LINE = re.compile(r"^\s*(bdk_[0-9a-f]{12}_\S+)\s*$")
REVIEW_TASKS_LINE = re.compile(r"opened (\d+) review tasks")


def chromium() -> str | None:
    """Where Chromium is: BANKDESK_TEST_CHROMIUM, else `chromium` on the PATH."""
    named = os.environ.get("BANKDESK_TEST_CHROMIUM")
    if named:
        return named
    return shutil.which("chromium") or shutil.which("chromium-browser")


# Module scope, not session: while Playwright's sync API is open it runs an event loop in
# this thread, and no asyncio test after it could start its own.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    path = chromium()
    if path is None:
        message = (
            "no Chromium: install Debian's chromium (`apt-get install chromium`) or set "
            "BANKDESK_TEST_CHROMIUM to a Chromium binary to run the console's browser tests"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the browser tests: {message}")
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Demo]:
    """`bankdesk serve --demo-data` on a fresh database, as `make run` starts it."""
    if not SCRIPT.exists():
        pytest.fail(f"the bankdesk console script is not installed at {SCRIPT}")
    where = tmp_path_factory.mktemp("console")
    if request.param == "sqlite":
        yield from _served(
            {**os.environ, "BANKDESK_DATABASE_URL": f"sqlite+aiosqlite:///{where / 'demo.db'}"},
            where,
        )
        return
    require_postgres()
    with empty_postgres_database("bankdesk_console") as url:
        yield from _served({**os.environ, "BANKDESK_DATABASE_URL": url}, where)


def _served(env: dict[str, str], cwd: Path) -> Iterator[Demo]:
    env.pop("BANKDESK_EXECUTOR", None)
    server = Server(env, cwd, "--demo-data")
    try:
        admin = server.wait_for_line(ADMIN_KEY_LINE)[1]
        tasks = int(server.wait_for_line(REVIEW_TASKS_LINE)[1])
        server.wait_until_ready()
        underwriters = tuple(
            create_key(env, cwd, role="underwriter", name=name)
            for name in ("Uma Reyes", "Theo Grant")
        )
        yield Demo(server.url, admin, underwriters, tasks)  # type: ignore[arg-type]
    finally:
        server.kill()


@pytest.fixture
def new_page(browser: Browser) -> Iterator:
    """Pages in browser contexts of their own (a cookie jar each, as two people would have)."""
    contexts = []

    def open_page(**options: object) -> Page:
        context = browser.new_context(**options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
