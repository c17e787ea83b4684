"""Status bytes in Epson's bit layout, computed from a state snapshot."""

from __future__ import annotations

from .state import StateSnapshot

# DLE EOT replies always have bits 1 and 4 set and bits 0 and 7 clear.
REALTIME_BASE = 0x12

_ERROR_BITS = {"mechanical": 0x04, "cutter": 0x08, "unrecoverable": 0x20, "recoverable": 0x40}


def realtime_status(n: int, state: StateSnapshot) -> int:
    """The reply byte to DLE EOT n (n = 1..4)."""
    if n == 1:
        return REALTIME_BASE | _bit(state.drawer_open, 0x04) | _bit(not state.ready, 0x08)
    if n == 2:
        return (
            REALTIME_BASE
            | _bit(state.cover_open, 0x04)
            | _bit(state.paper == "out", 0x20)
            | _bit(state.error is not None, 0x40)
        )
    if n == 3:
        return REALTIME_BASE | _ERROR_BITS.get(state.error or "", 0)
    if n == 4:
        # 0x72 for paper out, as a TM-T20II answers (python-escpos PR #242): that model
        # has only a paper-end sensor, so the near-end bits stay clear when paper is out.
        return REALTIME_BASE | _bit(state.paper == "near_end", 0x0C) | _bit(state.paper == "out", 0x60)
    raise ValueError(f"DLE EOT {n} is not a status request")


def status_back(state: StateSnapshot) -> bytes:
    """The 4-byte Automatic Status Back report (GS a) in Epson's layout."""
    first = 0x10 | _bit(state.drawer_open, 0x04) | _bit(not state.ready, 0x08) | _bit(state.cover_open, 0x20)
    second = _ERROR_BITS.get(state.error or "", 0)
    third = _bit(state.paper in ("near_end", "out"), 0x03) | _bit(state.paper == "out", 0x0C)
    return bytes([first, second, third, 0x00])


def transmitted_status(n: int, state: StateSnapshot) -> int:
    """The reply byte to GS r n: 1/49 paper sensors, 2/50 drawer connector."""
    if n in (1, 49):
        return _bit(state.paper in ("near_end", "out"), 0x03) | _bit(state.paper == "out", 0x0C)
    if n in (2, 50):
        return _bit(state.drawer_open, 0x01)
    raise ValueError(f"GS r {n} is not a status request")


def _bit(condition: bool, mask: int) -> int:
    return mask if condition else 0
