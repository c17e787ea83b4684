"""Who holds a device: one flock per device under `<data_dir>/locks/`.

The agent takes the lock of every configured device for as long as it runs, so that
`frontdesk ... --direct` (which opens the device itself) can refuse while the agent has
it, instead of fighting it for a serial port or a printer's one TCP connection. A
`--direct` command takes the lock too while it works, so an agent started meanwhile
says who has the device instead of failing on its port.

flock, not a pid file: the kernel drops the lock when its holder dies, however it dies,
so a lock is never stale. The pid and what the holder is are written into the file for
the message only.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

LOCKS = "locks"


class DeviceHeld(Exception):
    """Another process holds the device's lock; the message says which."""

    def __init__(self, device_id: str, pid: int | None, holder: str) -> None:
        who = f"process {pid}" if pid else "another process"
        super().__init__(f"device {device_id!r} is in use by {who}{f' ({holder})' if holder else ''}")
        self.device_id, self.pid, self.holder = device_id, pid, holder


def lock_path(data_dir: Path, device_id: str) -> Path:
    return Path(data_dir) / LOCKS / f"{device_id}.lock"


class DeviceLock:
    """`acquire()` takes the device for this process until `release()` (or its end)."""

    def __init__(self, data_dir: Path, device_id: str, holder: str = "frontdesk-agent") -> None:
        self.device_id, self.holder = device_id, holder
        self.path = lock_path(data_dir, device_id)
        self._fd: int | None = None

    def acquire(self) -> None:
        """Raises DeviceHeld if another process (or another DeviceLock) holds it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # No O_TRUNC: the holder's pid must stay readable until we have the lock.
            fd, writable = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644), True
        except PermissionError:
            # Left by another user (`sudo frontdesk ... --direct`): flock needs no write access,
            # only the pid cannot be written.
            fd, writable = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC), False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            pid, holder = _holder(self.path)
            raise DeviceHeld(self.device_id, pid, holder) from None
        if writable:
            os.ftruncate(fd, 0)
            os.write(fd, f"{os.getpid()}\n{self.holder}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock; the file stays, unlocked, for next time
            self._fd = None

    def __enter__(self) -> DeviceLock:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


def held_by_other(data_dir: Path, device_id: str) -> int | None:
    """The pid of the process holding the device (0 if it wrote none yet), None if nobody does.

    A missing lock file (or locks folder) means nobody holds it. Opened read-only, so a user
    who may not write the agent's data_dir can still ask."""
    path = lock_path(data_dir, device_id)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return _holder(path)[0] or 0
    finally:
        os.close(fd)  # also drops our own shared lock, if we got it
    return None


def holder_of(data_dir: Path, device_id: str) -> DeviceHeld | None:
    """held_by_other, as the error to raise (naming pid and holder); None if free."""
    pid = held_by_other(data_dir, device_id)
    if pid is None:
        return None
    return DeviceHeld(device_id, pid or None, _holder(lock_path(data_dir, device_id))[1])


def _holder(path: Path) -> tuple[int | None, str]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None, ""
    pid = int(lines[0]) if lines and lines[0].isdigit() else None
    return pid, lines[1] if len(lines) > 1 else ""


def lock_devices(data_dir: Path, device_ids: list[str], holder: str) -> list[DeviceLock]:
    """Every device's lock, or none of them: DeviceHeld names the first one another process has."""
    locks: list[DeviceLock] = []
    try:
        for device_id in device_ids:
            lock = DeviceLock(data_dir, device_id, holder)
            lock.acquire()
            locks.append(lock)
    except BaseException:
        for lock in locks:
            lock.release()
        raise
    return locks
