"""The report command: the files it writes, and one clear line (exit 2) for every mistake.

Run through `manager.report.cli.main` and through `frontdesk-manager report`
(manager.cli), which delegates to the same `add_arguments`/`run` pair.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from report_seed import OFFICE

from frontdesk.manager.report.cli import main

PROJECT = Path(__file__).parents[3]


@pytest.fixture
def config_file(tmp_path, sqlite_history) -> Path:
    path = tmp_path / "frontdesk.toml"
    path.write_text(OFFICE + f'[manager]\ndatabase = "{sqlite_history}"\ndata_dir = "{tmp_path / "data"}"\n', "utf-8")
    return path


def report(config_file: Path, *args: str) -> int:
    return main(["--config", str(config_file), *args])


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def test_writes_html_and_pdf_for_the_period(config_file, tmp_path, capsys):
    out = tmp_path / "reports"
    assert report(config_file, "--from", "2026-10-19", "--to", "2026-11-01", "--out", str(out), "--site", "hq") == 0
    written = capsys.readouterr().out.split()
    names = sorted(Path(path).name for path in written)
    assert names == ["frontdesk-report-hq-2026-10-19-to-2026-11-01.html", "frontdesk-report-hq-2026-10-19-to-2026-11-01.pdf"]
    assert all((out / name).stat().st_size > 10_000 for name in names)
    assert (out / names[1]).read_bytes().startswith(b"%PDF-")


def test_one_format_and_every_site_through_frontdesk_manager(config_file, tmp_path, capsys):
    from frontdesk.manager.cli import main as manager_main

    out = tmp_path / "html-only"
    assert manager_main(["--config", str(config_file), "report", "--from", "2026-10-26", "--to", "2026-10-26",
                         "--out", str(out), "--format", "html"]) == 0
    assert [path.name for path in out.iterdir()] == ["frontdesk-report-all-sites-2026-10-26-to-2026-10-26.html"]
    html = (out / "frontdesk-report-all-sites-2026-10-26-to-2026-10-26.html").read_text("utf-8")
    assert "all sites" in html and "Monday 26 October 2026" in html
    assert "sign-ins by hour of the day" in html  # one day: no chart of days
    assert "visitors signed in per day" not in html


@pytest.mark.parametrize("args, words", [
    (["--from", "2026-13-01", "--to", "2026-11-01"], ["--from", "'2026-13-01'", "YYYY-MM-DD"]),
    (["--from", "2026-10-19", "--to", "yesterday"], ["--to", "'yesterday'", "not a date"]),
    (["--from", "2026-11-02", "--to", "2026-11-01"], ["starts after it ends", "2026-11-02"]),
    (["--from", "2020-01-01", "--to", "2026-11-01"], ["at most 366 days"]),
    (["--from", "2026-10-19", "--to", "2026-11-01", "--format", "docx"], ["--format", "html, pdf"]),
    (["--from", "2026-10-19", "--to", "2026-11-01", "--site", "paris"], ["'paris'", "sites: branch, hq"]),
])
def test_mistakes_get_one_line_and_exit_2(config_file, tmp_path, capsys, args, words):
    assert report(config_file, *args, "--out", str(tmp_path / "out")) == 2
    captured = capsys.readouterr()
    line = one_line(captured.err)
    assert line.startswith("report: ")
    for word in words:
        assert word in line
    assert captured.out == ""


def test_out_must_be_a_folder(config_file, tmp_path, capsys):
    (tmp_path / "taken").write_text("x")
    assert report(config_file, "--from", "2026-10-19", "--to", "2026-10-19", "--out", str(tmp_path / "taken")) == 2
    assert "is a file, not a folder" in one_line(capsys.readouterr().err)


def test_a_missing_history_is_not_created(tmp_path, capsys):
    path = tmp_path / "frontdesk.toml"
    missing = tmp_path / "nowhere" / "history.db"
    path.write_text(OFFICE + f'[manager]\ndatabase = "sqlite:///{missing}"\n', "utf-8")
    assert report(path, "--from", "2026-10-19", "--to", "2026-10-19", "--out", str(tmp_path)) == 2
    assert "no history database at" in one_line(capsys.readouterr().err)
    assert not missing.exists() and not missing.parent.exists()


def test_an_empty_period_writes_a_report_that_says_so_and_exits_2(config_file, tmp_path, capsys):
    out = tmp_path / "empty"
    assert report(config_file, "--from", "2025-06-01", "--to", "2025-06-30", "--out", str(out), "--site", "hq") == 2
    captured = capsys.readouterr()
    assert "nothing was recorded for hq from 2025-06-01 to 2025-06-30" in one_line(captured.err)
    html = (out / "frontdesk-report-hq-2025-06-01-to-2025-06-30.html").read_text("utf-8")
    assert "No activity was recorded in this period" in html
    assert (out / "frontdesk-report-hq-2025-06-01-to-2025-06-30.pdf").exists()


def test_frontdesk_manager_report_in_its_own_process_prints_no_traceback(config_file, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "frontdesk.manager.cli", "--config", str(config_file), "report", "--from", "19.10.2026",
         "--to", "2026-11-01", "--out", str(tmp_path)], capture_output=True, text=True, timeout=60, cwd=PROJECT)
    assert result.returncode == 2
    assert "'19.10.2026' is not a date" in one_line(result.stderr)


def test_an_unreachable_database_server_is_one_line(tmp_path, capsys):
    path = tmp_path / "frontdesk.toml"
    path.write_text(OFFICE + '[manager]\ndatabase = "postgresql://frontdesk:secret@127.0.0.1:1/history"\n', "utf-8")
    assert report(path, "--from", "2026-10-19", "--to", "2026-10-19", "--out", str(tmp_path)) == 2
    line = one_line(capsys.readouterr().err)
    assert "cannot open the history database" in line and "127.0.0.1:1" in line
    assert "secret" not in line  # the password is not printed
