"""The README's demo, run the way a newcomer runs it (without the prompt)."""

from __future__ import annotations

import subprocess
import sys

from PIL import Image
from testbed import RunningDemo, wait_until


def test_demo_prints_a_receipt_and_a_badge_and_shows_them(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "frontdesk.agent.cli", "demo", "--once", "--workdir", str(tmp_path)],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    out = result.stdout
    assert "TOTAL" in out and "30,15 RON" in out  # the sample receipt, in the demo office's Romanian
    assert "Ştefan Ţăranu" in out and "VIZITATOR" in out  # the badge, comma-below folded to cedilla
    assert "ERROR" not in out and "OVERFLOW" not in out
    assert "weighed: 85.00 g (stable, as the scale says)" in out  # the scale simulator, over a pty
    assert "recorded in the mail log: Großbrief, 1.80 EUR" in out
    pictures = sorted((tmp_path / "printer").glob("job-*.png"))
    assert len(pictures) == 2
    for picture in pictures:
        with Image.open(picture) as image:
            assert image.width == 576 and image.height > 400
            assert image.convert("L").getextrema() == (0, 255)
    assert (tmp_path / "frontdesk.toml").exists()


def test_the_running_demo_shows_a_managers_view_of_a_fault(tmp_path):
    demo = RunningDemo(tmp_path)
    try:
        demo.wait_for("[mqtt] agent online", timeout=30)
        url = demo.wait_for("office manager's dashboard: http://127.0.0.1:").split("dashboard: ")[1].split()[0]
        assert "Frontdesk" in login_page(url), "the dashboard's login page did not come up"
        demo.type_in("paper out")
        demo.wait_for("[mqtt] desk-printer: error (paper_out)", timeout=30)
        demo.type_in("paper ok")
        demo.wait_for("[mqtt] desk-printer event: recovered", timeout=30)
        returncode = demo.quit(timeout=30)
    finally:
        demo.kill()
    assert returncode == 0 and "demo stopped" in demo.output
    assert "Traceback" not in demo.output


def login_page(url: str, timeout: float = 30) -> str:
    """The manager's dashboard in the demo: anonymous visitors are sent to its login page."""
    import urllib.request

    def page() -> str | None:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return response.read().decode()
        except OSError:
            return None  # not listening yet

    return wait_until(page, timeout, f"the dashboard at {url}", interval=0.3)
