"""What a machine installs: the packages' names, the wheel's contents, each extra's dependencies,
and a program run on a machine that lacks its extra. What the Pi's install brings is
checked on real installs, made by systemd/install-pi and install-manager (tests/test_install.py).

The Pi installs `frontdesk[pi]` and the manager's machine `frontdesk[manager]`
(pyproject.toml). The wheel is built once per module, from this checkout.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
FOLDERS = ("agent", "contract", "devices", "kiosk", "manager")
# Distributions only the Pi needs (tests/test_install.py checks the manager's venv against it).
PI_ONLY = {"kivy", "python-escpos", "pycups", "pyserial", "pyusb", "python-bidi", "arabic-reshaper", "anyascii",
           "qrcode", "python-barcode", "phonenumbers"}
# Modules each machine lacks, as a program would first import them.
NOT_ON_A_PI = ["sqlalchemy", "starlette", "uvicorn", "matplotlib", "weasyprint", "jinja2"]
NOT_ON_THE_MANAGER = ["kivy", "escpos", "cups", "serial", "usb", "bidi", "qrcode", "barcode", "phonenumbers"]


def setuptools_table() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_folder_installs_under_the_frontdesk_namespace():
    listed = set(setuptools_table()["packages"])
    on_disk = {"frontdesk." + ".".join(init.parent.relative_to(ROOT).parts)
               for folder in FOLDERS for init in (ROOT / folder).rglob("__init__.py")}
    assert on_disk - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - on_disk == set()
    assert setuptools_table()["package-dir"] == {f"frontdesk.{folder}": folder for folder in FOLDERS}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--disable-pip-version-check",
                    str(ROOT), "-w", str(out)], check=True, capture_output=True, timeout=300)
    return next(out.glob("frontdesk-*.whl"))


def test_the_wheel_holds_the_frontdesk_namespace_and_its_data_and_nothing_else(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"frontdesk", next(n for n in tops if n.endswith(".dist-info"))}
    assert {name.split("/")[1] for name in names if name.startswith("frontdesk/")} == set(FOLDERS)
    assert "frontdesk/__init__.py" not in names  # a namespace: nothing of ours at the top
    for data in ("frontdesk/kiosk/locale/pl/LC_MESSAGES/kiosk.po", "frontdesk/devices/queues/printer_state_reasons.txt",
                 "frontdesk/manager/web/templates/dashboard.html", "frontdesk/devices/printer/labels.toml"):
        assert data in names
    assert any(name.startswith("frontdesk/agent/postage/rates/") and name.endswith(".toml") for name in names)
    assert any(name.startswith("frontdesk/kiosk/policy/") for name in names)


def without(modules: list[str], call: str) -> subprocess.CompletedProcess:
    """Run `call` in a Python where `modules` cannot be imported, as on a machine without them."""
    code = f"import sys\nfor name in {modules!r}: sys.modules[name] = None\n{call}"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_the_manager_on_a_pi_says_which_install_it_needs(tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text(f'[manager]\ndata_dir = "{tmp_path}"\ndatabase = "sqlite:///{tmp_path}/history.db"\n')
    for args in (["run"], ["report", "--from", "2026-11-01", "--to", "2026-11-30"]):
        result = without(NOT_ON_A_PI, "from frontdesk.manager.cli import main\n"
                                      f"sys.exit(main(['--config', {str(config)!r}, *{args!r}]))")
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith("frontdesk-manager: the Python package ")
        assert "install it with systemd/install-manager, or `pip install 'frontdesk[manager]'`" in result.stderr


def test_the_agent_and_the_kiosk_on_the_manager_s_machine_say_which_install_they_need(tmp_path):
    config = tmp_path / "frontdesk.toml"
    config.write_text(f'[agent]\ndata_dir = "{tmp_path}/agent"\n[kiosk]\ndata_dir = "{tmp_path}/kiosk"\n'
                      '[[printer]]\nid = "desk-printer"\nconnection = "network"\nhost = "127.0.0.1"\n')
    for program, module, args in (("frontdesk-agent", "frontdesk.agent.daemon", []),
                                  ("frontdesk-kiosk", "frontdesk.kiosk.cli", ["run"])):
        result = without(NOT_ON_THE_MANAGER, f"from {module} import main\n"
                                             f"sys.exit(main(['--config', {str(config)!r}, *{args!r}]))")
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert result.stderr.startswith(f"{program}: the Python package ")
        assert "install it with systemd/install-pi, or `pip install 'frontdesk[pi]'`" in result.stderr
