"""Sizes and colours, scaled to the screen the kiosk runs on.

The kiosk is laid out for an 800x480 touch screen; `u(n)` is n pixels there and grows with
larger screens (1024x600, 1920x1080) so text stays readable at arm's length and touch targets
stay about a finger wide.
"""

from __future__ import annotations

REFERENCE = (800, 480)
_unit = 1.0

# Calm, high-contrast colours (RGBA): dark text on a light background.
BACKGROUND = (0.96, 0.96, 0.94, 1)
SURFACE = (1, 1, 1, 1)
TEXT = (0.11, 0.13, 0.16, 1)
MUTED = (0.38, 0.41, 0.45, 1)
PRIMARY = (0.07, 0.38, 0.62, 1)
PRIMARY_TEXT = (1, 1, 1, 1)
SECONDARY = (0.86, 0.88, 0.9, 1)
DANGER = (0.72, 0.16, 0.14, 1)
SUCCESS = (0.12, 0.5, 0.25, 1)
WARNING = (0.8, 0.5, 0.05, 1)
KEY = (0.99, 0.99, 0.99, 1)
BORDER = (0.75, 0.77, 0.8, 1)
HEALTH_COLOURS = {"ok": SUCCESS, "warning": WARNING, "error": DANGER, "offline": MUTED}


def set_screen_size(width: int, height: int) -> None:
    """Called once the window exists: everything after that is sized for it."""
    global _unit
    _unit = min(width / REFERENCE[0], height / REFERENCE[1])


def u(value: float) -> float:
    """`value` pixels of the 800x480 reference screen, on this screen."""
    return value * _unit


def font(kind: str = "body") -> float:
    """Font sizes by role; the smallest is still readable at arm's length on 800x480."""
    return u({"title": 30, "heading": 24, "body": 19, "button": 21, "key": 23, "small": 16, "huge": 40}[kind])
