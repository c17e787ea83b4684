"""Bit images (GS v 0, GS ( L / GS 8 L, ESC *) decoded into PIL images.

Each function takes a command's parameter bytes and returns a mode "1" image in
which black pixels are printed dots, or raises CommandError.
"""

from __future__ import annotations

from PIL import Image

from .errors import CommandError

_INVERT = bytes(255 - value for value in range(256))


def raster_image(params: bytes) -> Image.Image:
    """GS v 0 m xL xH yL yH d...: x bytes per row, y rows."""
    mode = params[0]
    if mode not in (0, 1, 2, 3, 48, 49, 50, 51):
        raise CommandError(f"GS v 0 with invalid mode {mode}")
    width_bytes, height = params[1] + params[2] * 256, params[3] + params[4] * 256
    if width_bytes == 0 or height == 0:
        raise CommandError("GS v 0 with an empty image")
    image = _from_rows(params[5:], width_bytes * 8, width_bytes, height)
    return _scaled(image, double_width=bool(mode & 1), double_height=bool(mode & 2))


def stored_graphics(params: bytes, command: str) -> Image.Image:
    """GS ( L / GS 8 L function 112: a bx by c xL xH yL yH d..., after m and fn."""
    if len(params) < 10:
        raise CommandError(f"{command} function 112 is too short for its header")
    tone, scale_x, scale_y, color = params[2], params[3], params[4], params[5]
    width, height = params[6] + params[7] * 256, params[8] + params[9] * 256
    if tone != 48:
        raise CommandError(f"{command} function 112: only monochrome (a=48) is simulated, got a={tone}")
    if scale_x not in (1, 2) or scale_y not in (1, 2):
        raise CommandError(f"{command} function 112: scale must be 1 or 2, got bx={scale_x} by={scale_y}")
    if color != 49:
        raise CommandError(f"{command} function 112: colour must be 49 (first colour), got c={color}")
    if width == 0 or height == 0:
        raise CommandError(f"{command} function 112 with an empty image")
    data = params[10:]
    row_bytes = (width + 7) // 8
    if len(data) != row_bytes * height:
        raise CommandError(
            f"{command} function 112: {len(data)} data bytes for a {width}x{height} image "
            f"that needs {row_bytes * height} (wrong pL pH?)"
        )
    return _scaled(_from_rows(data, width, row_bytes, height), scale_x == 2, scale_y == 2)


def column_image(params: bytes) -> Image.Image:
    """ESC * m nL nH d...: n columns of 8 or 24 dots, most significant bit on top."""
    mode, columns = params[0], params[1] + params[2] * 256
    dots = 24 if mode >= 32 else 8
    data = params[3:]
    if columns == 0:
        raise CommandError("ESC * with no columns")
    # One row of the sideways image per column, then turned upright.
    sideways = Image.frombytes("1", (dots, columns), bytes(data).translate(_INVERT))
    image = sideways.transpose(Image.Transpose.TRANSPOSE)
    single_density = mode in (0, 32)
    # 8-dot modes print each dot three rows tall on a 24-dot head.
    return _scaled(image, single_density, dots == 8, vertical_factor=3)


def _from_rows(data: bytes, width: int, row_bytes: int, height: int) -> Image.Image:
    image = Image.frombytes("1", (row_bytes * 8, height), bytes(data).translate(_INVERT))
    return image.crop((0, 0, width, height)) if width != row_bytes * 8 else image


def _scaled(image: Image.Image, double_width: bool, double_height: bool, vertical_factor: int = 2) -> Image.Image:
    if not (double_width or double_height):
        return image
    width, height = image.size
    size = (width * (2 if double_width else 1), height * (vertical_factor if double_height else 1))
    return image.resize(size, Image.Resampling.NEAREST)


def fit_to_paper(image: Image.Image, width_dots: int, command: str) -> tuple[Image.Image, str | None]:
    """The part of `image` that fits on the paper, and a complaint if some did not."""
    if image.width <= width_dots:
        return image, None
    problem = f"{command} image is {image.width} dots wide, the paper {width_dots}: the printer cuts it off"
    return image.crop((0, 0, width_dots, image.height)), problem
