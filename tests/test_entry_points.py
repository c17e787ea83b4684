"""The suite runs however a developer starts it: `.venv/bin/pytest` as well as `python -m pytest`.

`python -m pytest` puts the working directory on sys.path; the `pytest` script does not, and
then tests/devices/ (a folder without __init__.py) was found before the installed `devices`
package: every test failed to import `devices.printer.simulator`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_the_pytest_script_finds_the_project_s_packages_not_the_test_folders():
    script = Path(sys.executable).with_name("pytest")
    result = subprocess.run([str(script), "-q", "-p", "no:randomly", "--collect-only", "tests/devices/printer"],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "ModuleNotFoundError" not in result.stdout, result.stdout[-2000:]
