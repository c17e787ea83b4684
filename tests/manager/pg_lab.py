"""A private PostgreSQL server for the tests and the benchmark (Debian's postgresql 15).

initdb refuses to run as root, and CI runs as root: there the server runs as the
`postgres` user (setpriv), in a directory it owns, on a free port on 127.0.0.1.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

from testbed import wait_until

BIN = Path("/usr/lib/postgresql/15/bin")


def available() -> bool:
    return (BIN / "initdb").exists() and (BIN / "postgres").exists()


class PostgresLab:
    """`durable=False` turns fsync off: right for tests, wrong for a benchmark."""

    def __init__(self, durable: bool = False) -> None:
        self.durable = durable
        self.user = "frontdesk"
        self.host = "127.0.0.1"
        self.root: Path | None = None
        self._process: subprocess.Popen | None = None
        with socket.socket() as probe:
            probe.bind((self.host, 0))
            self.port = probe.getsockname()[1]

    def url(self, database: str = "frontdesk") -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{database}"

    def _as_owner(self, command: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return command
        return ["setpriv", "--reuid=postgres", "--regid=postgres", "--clear-groups", "--", *command]

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def __enter__(self) -> PostgresLab:
        self.root = Path(tempfile.mkdtemp(prefix="frontdesk-pg-"))
        self.root.chmod(0o755)  # the postgres user must reach its data directory
        data, sockets = self.root / "data", self.root / "run"
        for folder in (data, sockets):
            folder.mkdir(mode=0o700)
            self._chown(folder)
        subprocess.run(self._as_owner([str(BIN / "initdb"), "-D", str(data), "-U", self.user, "--auth=trust",
                                       "-E", "UTF8", "--locale=C", "--no-sync"]),
                       check=True, capture_output=True, timeout=120)
        self._log = open(self.root / "postgres.log", "ab")
        self.start_server()
        self.create_database("frontdesk")
        return self

    def start_server(self) -> None:
        """Start the server (again, after stop_server(): same data, same port)."""
        settings = ["-c", f"listen_addresses={self.host}", "-c", f"unix_socket_directories={self.root / 'run'}",
                    "-c", "max_connections=50", "-c", "shared_buffers=32MB"]
        if not self.durable:
            settings += ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
        self._process = subprocess.Popen(self._as_owner([str(BIN / "postgres"), "-D", str(self.root / "data"),
                                                         "-p", str(self.port), *settings]),
                                         stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_ready()

    def stop_server(self) -> None:
        """Stop the server, as a database restart or outage does; its data stays."""
        if self._process is not None:
            self._process.send_signal(2)  # SIGINT: PostgreSQL's fast shutdown
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def _wait_ready(self) -> None:
        import psycopg

        def answers() -> bool:
            try:
                psycopg.connect(host=self.host, port=self.port, user=self.user, dbname="postgres").close()
                return True
            except psycopg.OperationalError:
                if self._process.poll() is not None:
                    raise RuntimeError(f"postgres exited: {(self.root / 'postgres.log').read_text()}") from None
                return False

        wait_until(answers, 30, "postgres answering", interval=0.1,
                   last=lambda: (self.root / "postgres.log").read_text())

    def create_database(self, name: str | None = None) -> str:
        """A new, empty database; returns its URL."""
        import psycopg

        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(host=self.host, port=self.port, user=self.user, dbname="postgres",
                             autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def __exit__(self, *exc_info) -> None:
        self.stop_server()
        if self.root is not None:
            self._log.close()
            shutil.rmtree(self.root, ignore_errors=True)
