"""A private Mosquitto broker for the demo and the tests: its own port and config, never the system's."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path


class LocalBroker:
    """`config(port)` gives the whole mosquitto.conf; by default an open broker without persistence."""

    def __init__(self, root: Path, config: Callable[[int], str] | None = None) -> None:
        self.root = root
        self._config = config
        self.host = "127.0.0.1"
        with socket.socket() as probe:
            probe.bind((self.host, 0))
            self.port = probe.getsockname()[1]

        self._process: subprocess.Popen | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("mosquitto") is not None or Path("/usr/sbin/mosquitto").exists()

    def __enter__(self) -> LocalBroker:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        config = self.root / "mosquitto.conf"
        # By default no persistence, like a small broker that forgets retained messages on restart.
        default = (f"listener {self.port} {self.host}\nallow_anonymous true\npersistence false\n"
                   "set_tcp_nodelay true\n"  # as docs/mosquitto/frontdesk.conf: replies do not wait for ACKs
                   f"log_dest file {self.root / 'mosquitto.log'}\n")
        config.write_text(self._config(self.port) if self._config else default)
        binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"  # /usr/sbin is not on every PATH
        self._process = subprocess.Popen([binary, "-c", str(config)], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((self.host, self.port), timeout=0.2).close()
                return
            except OSError:
                if self._process.poll() is not None:
                    raise RuntimeError(f"mosquitto exited: {(self.root / 'mosquitto.log').read_text()}") from None
                time.sleep(0.05)
        raise RuntimeError(f"mosquitto did not listen on {self.host}:{self.port} within 10 s")

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)
            self._process = None
