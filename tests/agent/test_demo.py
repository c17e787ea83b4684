"""The README's demo, run the way a newcomer runs it (without the prompt)."""

from __future__ import annotations

import subprocess
import sys

from PIL import Image


def test_demo_prints_a_receipt_and_a_badge_and_shows_them(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "agent.cli", "demo", "--once", "--workdir", str(tmp_path)],
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
    import select
    import time

    demo = subprocess.Popen(
        [sys.executable, "-m", "agent.cli", "demo", "--workdir", str(tmp_path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    seen: list[str] = []

    def wait_for(text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not any(text in line for line in seen):
            if select.select([demo.stdout], [], [], 0.5)[0]:
                seen.append(demo.stdout.readline())
        assert any(text in line for line in seen), "".join(seen)

    try:
        wait_for("[mqtt] agent online")
        demo.stdin.write("paper out\n")
        demo.stdin.flush()
        wait_for("[mqtt] desk-printer: error (paper_out)")
        demo.stdin.write("paper ok\n")
        demo.stdin.flush()
        wait_for("[mqtt] desk-printer event: recovered")
        demo.stdin.write("quit\n")
        demo.stdin.flush()
        rest, _ = demo.communicate(timeout=30)
    finally:
        demo.kill()
    assert demo.returncode == 0 and "demo stopped" in rest
    assert "Traceback" not in "".join(seen) + rest
