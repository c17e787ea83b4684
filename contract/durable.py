"""Opening a SQLite file so that a committed record survives a crash or a power cut.

The agent's ledgers, the kiosk's visitor log and both processes' event outboxes use it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def open_durable(path: Path, schema: str, shared: bool = False) -> sqlite3.Connection:
    """`shared`: used from several threads, each call under the caller's own lock."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=not shared)
    connection.row_factory = sqlite3.Row
    # WAL: readers never block the writer. synchronous=FULL: a COMMIT that
    # returned is on disk, even if the Pi loses power right after.
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("PRAGMA foreign_keys=ON")
    # Deleted and overwritten records are zeroed, not left in free pages: these files hold
    # visitors' names until they are erased (docs/privacy.md).
    connection.execute("PRAGMA secure_delete=ON")
    connection.executescript(schema)
    return connection


def truncate_wal(connection: sqlite3.Connection) -> None:
    """Copy the WAL into the database and empty it: erased records must leave the WAL file too,
    which otherwise keeps old pages' bytes until they happen to be overwritten."""
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
