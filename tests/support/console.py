"""The installed `bankdesk` console script, for tests that run it as a separate process."""

import shutil
import sys
from pathlib import Path

import pytest

SCRIPT = Path(sys.executable).with_name("bankdesk")


def console_script() -> str:
    """The path of the `bankdesk` script beside this interpreter, or on PATH."""
    found = SCRIPT if SCRIPT.exists() else shutil.which("bankdesk")
    if not found:
        pytest.fail("the bankdesk console script is not installed; run `make test`")
    return str(found)
