"""The monospaced font used to draw text as an image (printer fallback, simulator)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/local/share/fonts"),
)


def font_path(bold: bool = False) -> Path:
    name = "DejaVuSansMono-Bold.ttf" if bold else "DejaVuSansMono.ttf"
    for folder in _FONT_DIRS:
        if (folder / name).exists():
            return folder / name
    raise RuntimeError(
        f"font {name} not found; install the Debian package fonts-dejavu-core"
    )


@cache
def mono_font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(bold)), size)
