"""Run Python in a fresh interpreter that cannot import scikit-learn or SciPy.

A default install leaves both out (they are the optional `train` extra), so this is how the
tests see bankdesk as such an install runs it, while the test environment has them installed.
"""

import os
import subprocess
import sys
from pathlib import Path

TRAINING_PACKAGES = ("sklearn", "scipy")
REFUSE_TRAINING_PACKAGES = f"""
import importlib.abc
import sys


class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {TRAINING_PACKAGES!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}} (refused)", name=name)
        return None


sys.meta_path.insert(0, Refuse())
"""
BANKDESK_CLI = "from bankdesk.cli.app import main\n\nmain()\n"


def run_without_training(code: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the code (with args as sys.argv[1:]) where importing sklearn or scipy fails."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("BANKDESK_")}
    return subprocess.run(
        [sys.executable, "-c", REFUSE_TRAINING_PACKAGES + code, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=cwd,
        env=environment,
    )
