"""A private CUPS for tests: its own cupsd, an IPP copier and a recording fax line.

cupsd runs in the foreground on a free port of 127.0.0.1 with every file under `root`,
which user lp must be able to enter (CUPS runs filters as lp): tempfile.TemporaryDirectory()
works, pytest's tmp_path does not. ServerBin is a directory there with symlinks to
/usr/lib/cups/* and a copy of the fax backend, mode 0700 so that cupsd runs it as root.

* `Copier`: ippeveprinter (duplex, colour, PDF) added driverless (`-m everywhere`). Its print
  command ends each job at once (ippeveprinter alone sleeps 5-15 s), reports marker-* levels
  and can fail the next job. cupsd hears from it only through the ipp backend, while a job
  runs: a supply or media change shows on the queue after the next copier job, never before.
* `Fax`: tests/cups_backend/frontdesk-fax-test with a PPD saying `*cupsFax: True`, so cupsd
  retries failed faxes like a fax queue; the backend records each fax in `fax_dir`.
"""


from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Self

from cups_lab.files import (
    COPIER_COMMAND,
    COPIER_REASONS,
    COPIER_SUPPLIES,
    CUPSD_CONF,
    CUPS_FILES_CONF,
    FAX_BACKEND,
    FAX_PPD,
    HOST,
    MARKERS,
    SYSTEM_SERVER_BIN,
)
from cups_lab.processes import (
    check_reachable_by_lp,
    ensure_dbus_and_avahi,
    free_port,
    run,
    start_process,
    stop_process,
    wait_until_listening,
)


class CupsLab:
    """Real CUPS for tests, as a context manager; see the module docstring."""

    COPIER = "Copier"
    FAX = "Fax"

    def __init__(self, root: Path, log_level: str = "info") -> None:
        self.root = Path(root)
        self.host, self.port, self.copier_port = HOST, 0, 0
        self.log_level = log_level
        self.fax_dir = self.root / "faxes"
        self.copier_dir = self.root / "copier"
        self.error_log = self.root / "log" / "error_log"
        self._cupsd: subprocess.Popen | None = None
        self._copier: subprocess.Popen | None = None

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def copier_uri(self) -> str:
        return f"ipp://{HOST}:{self.copier_port}/ipp/print"

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> CupsLab:
        if self._cupsd is not None:
            raise RuntimeError("this CupsLab has been started already")
        try:
            ensure_dbus_and_avahi()
            self.port, self.copier_port = free_port(), free_port()
            self._write_files()
            self.start_copier()
            self.start_cupsd()
            self._add_queues()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        stop_process(self._cupsd)
        stop_process(self._copier)

    @property
    def cupsd_pid(self) -> int | None:
        return self._cupsd.pid if self._cupsd is not None and self._cupsd.poll() is None else None

    def start_cupsd(self) -> None:
        """Start cupsd (again) on the same port and config; return once it answers."""
        etc = self.root / "etc"
        command = ["cupsd", "-f", "-c", str(etc / "cupsd.conf"), "-s", str(etc / "cups-files.conf")]
        output = self.root / "log" / "cupsd.out"
        self._cupsd = start_process(self._cupsd, command, output)
        wait_until_listening(self._cupsd, self.port, output, self.error_log)

    def stop_cupsd(self) -> None:
        stop_process(self._cupsd)

    def restart_cupsd(self) -> None:
        self.stop_cupsd()
        self.start_cupsd()

    def lpadmin(self, *arguments: str) -> str:
        """lpadmin against the lab's cupsd, e.g. lpadmin("-p", "Fax", "-o", "name=value")."""
        return run(["lpadmin", "-h", self.server, *arguments])

    def connection(self):
        """A pycups connection to the lab's cupsd, for the calling thread.

        pycups' setServer/setPort are per thread (libcups keeps them thread-local), and
        printFile finds the queue through them even on a Connection made with host= and
        port=. Other threads need setServer/setPort of their own, or
        os.environ["CUPS_SERVER"] = lab.server set before they first use pycups.
        """
        import cups

        cups.setServer(self.host)
        cups.setPort(self.port)
        return cups.Connection(host=self.host, port=self.port)

    # the copier

    def start_copier(self) -> None:
        """Start the copier (again, same port) fresh: default supplies, no jobs.

        While it is stopped, copier jobs stay `processing`, printer-state-reasons none,
        printer-state-message "The printer may not exist or is unavailable at this time."
        """
        options = {
            "-p": str(self.copier_port),
            "-n": "localhost",
            "-r": "off",
            "-d": str(self.copier_dir / "spool"),
            "-s": "20,10",
            "-f": "application/pdf,image/jpeg,image/pwg-raster,image/urf",
            "-M": "Frontdesk",
            "-m": "Lab Copier",
            "-c": str(self.copier_dir / "print-command"),
        }
        command = ["ippeveprinter", "-k", "-2", *[word for option in options.items() for word in option], "Lab Copier"]
        env = {**os.environ, "FRONTDESK_COPIER_DIR": str(self.copier_dir)}
        log = self.copier_dir / "ippeveprinter.log"
        self._copier = start_process(self._copier, command, log, env)
        wait_until_listening(self._copier, self.copier_port, log)
        self._write_markers(self._supply_levels())

    def stop_copier(self) -> None:
        stop_process(self._copier)

    def set_supply_levels(self, levels: dict[str, int]) -> None:
        """Set supplies in percent by name (waste, black, cyan, magenta, yellow).

        After the next job the queue shows marker-levels in that order, and in
        printer-state-reasons: waste > 90 -> marker-waste-almost-full-report,
        100 -> marker-waste-full-report; a colour < 10 -> toner-low-report, 0 -> toner-empty-report.
        """
        unknown = set(levels) - set(COPIER_SUPPLIES)
        if unknown:
            raise ValueError(f"unknown copier supplies {sorted(unknown)}; it has {COPIER_SUPPLIES}")
        current = dict(zip(COPIER_SUPPLIES, self._supply_levels()))
        new_levels = [int(levels.get(name, current[name])) for name in COPIER_SUPPLIES]
        # ippeveprinter forgets every supply missing from the form, so send them all.
        self._copier_form("supplies", {f"supply{index}": str(level) for index, level in enumerate(new_levels)})
        self._write_markers(new_levels)

    def set_media_ready(self, media: list[str], sheets: int = 250) -> None:
        """Load media (PWG names like iso_a4_210x297mm) into the trays (main, photo) in order.

        Loaded trays hold `sheets` sheets, the others an unknown amount. 1-24 sheets ->
        media-low-report. 0 sheets -> ippeveprinter holds every job until media is loaded;
        the job stays processing and the queue shows media-empty-warning, media-needed-warning.
        """
        trays = re.findall(r'<th>[\w-]+:</th><td><select name="size(\d+)"', self._copier_form("media"))
        if len(media) > len(trays):
            raise ValueError(f"the copier has {len(trays)} trays, not {len(media)}")
        form = {}
        for position, tray in enumerate(trays):
            loaded = position < len(media)
            form[f"size{tray}"] = media[position] if loaded else ""
            form[f"type{tray}"] = "stationery" if loaded else ""
            form[f"level{tray}"] = str(sheets if loaded else -2)  # -2: unknown, which sets no reason
        self._copier_form("media", form)

    def fail_next_copier_job(self, reason: str) -> None:
        """Make the next copier job fail at the printer with `reason` (e.g. media-jam).

        The job ends canceled (7) with job-printer-state-message "Print job canceled at
        printer."; the queue shows `reason`-report until a copier job succeeds.
        """
        keyword = re.sub(r"-(error|warning|report)$", "", reason)
        if keyword not in COPIER_REASONS:
            raise ValueError(f"ippeveprinter ignores {reason!r}; it knows {COPIER_REASONS}")
        (self.copier_dir / "fail-next").write_text(keyword, encoding="utf-8")

    def _supply_levels(self) -> list[int]:
        page = self._copier_form("supplies")
        return [int(level) for level in re.findall(r'name="supply\d+" size="3" value="(-?\d+)"', page)]

    def _write_markers(self, levels: list[int]) -> None:
        # ippeveprinter has no marker-* attributes; its print command sets them (ATTR:)
        # and the ipp backend passes them on to cupsd.
        line = MARKERS.format(levels=",".join(map(str, levels)))
        (self.copier_dir / "markers").write_text(line, encoding="utf-8")

    def _copier_form(self, page: str, form: dict[str, str] | None = None) -> str:
        # ippeveprinter's forms use GET: the new values travel in the query string.
        query = "?" + urllib.parse.urlencode(form) if form else ""
        with urllib.request.urlopen(f"http://{HOST}:{self.copier_port}/{page}{query}", timeout=5) as response:
            return response.read().decode("utf-8")

    # the fax line

    def fail_next_fax(self, reason: str, attempts: int = 2) -> None:
        """Make the next fax fail with `reason`: by default for good, with attempts=1 once.

        A failed attempt holds the job (4, resources-are-not-ready) with `reason` as
        job-printer-state-message and printer-state-message; cupsd tries again about
        10 s later, or at once after conn.setJobHoldUntil(job_id, "no-hold"). The second
        failed attempt aborts the job (8) with the same message (JobRetryLimit 1).
        """
        (self.fax_dir / "fail-next").write_text(f"{reason}\n" * attempts, encoding="utf-8")

    def sent_faxes(self) -> list[dict]:
        """What the fax backend recorded, oldest job first."""
        records = [json.loads(path.read_text(encoding="utf-8")) for path in self.fax_dir.glob("fax-*.json")]
        return sorted(records, key=lambda record: record["job_id"])

    # setup

    def _write_files(self) -> None:
        check_reachable_by_lp(self.root)
        for name in ("etc", "lib/backend", "spool/tmp", "cache", "run", "log", "faxes", "copier/spool"):
            (self.root / name).mkdir(parents=True, exist_ok=True)
        self.root.chmod(0o755)
        self._link_server_bin()
        (self.root / "etc" / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=self.root))
        config = CUPSD_CONF.format(host=HOST, port=self.port, log_level=self.log_level)
        (self.root / "etc" / "cupsd.conf").write_text(config)
        (self.root / "fax.ppd").write_text(FAX_PPD)
        (self.copier_dir / "print-command").write_text(COPIER_COMMAND)
        (self.copier_dir / "print-command").chmod(0o755)

    def _link_server_bin(self) -> None:
        lib = self.root / "lib"
        links = [(lib / path.name, path) for path in SYSTEM_SERVER_BIN.iterdir() if path.name != "backend"]
        links += [(lib / "backend" / path.name, path) for path in (SYSTEM_SERVER_BIN / "backend").iterdir()]
        for link, target in links:
            if not link.is_symlink():
                link.symlink_to(target)
        shutil.copyfile(FAX_BACKEND, lib / "backend" / FAX_BACKEND.name)
        (lib / "backend" / FAX_BACKEND.name).chmod(0o700)

    def _add_queues(self) -> None:
        private = ("-E", "-o", "printer-is-shared=false")
        self.lpadmin("-p", self.COPIER, "-v", self.copier_uri, "-m", "everywhere", *private)
        self.lpadmin("-p", self.FAX, "-v", f"{FAX_BACKEND.name}:/", "-P", str(self.root / "fax.ppd"), *private)
