"""Load python-escpos' printer database without littering /tmp.

On import, `escpos.capabilities` pickles its database into the folder named by
ESCPOS_CAPABILITIES_PICKLE_DIR, and creates a new temporary directory either way
(its default is evaluated eagerly) that nothing ever removes: a Pi running
`frontdesk` commands all day would collect thousands. So the pickle goes to one
cache folder, and the stray directory is made inside a scratch one we delete.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_VARIABLE = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def import_escpos_capabilities() -> None:
    os.environ.setdefault(_VARIABLE, str(_cache_folder()))
    with tempfile.TemporaryDirectory(prefix="frontdesk-escpos-") as scratch:
        saved, tempfile.tempdir = tempfile.tempdir, scratch
        try:
            import escpos.capabilities  # noqa: F401
        finally:
            tempfile.tempdir = saved


def _cache_folder() -> Path:
    if os.environ.get("CACHE_DIRECTORY"):  # systemd's CacheDirectory=
        folder = Path(os.environ["CACHE_DIRECTORY"].split(":")[0])
    else:
        folder = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "frontdesk"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        folder = Path(tempfile.gettempdir())  # a read-only home: share /tmp, at least only once
    return folder
