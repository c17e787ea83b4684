"""Splits an ESC/POS byte stream into commands, knowing only how long each one is.

What a command means is the machine's business; this module only finds where each
command ends, so that a stream split at any byte boundary parses the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
LF, CR, HT, NUL = 0x0A, 0x0D, 0x09, 0x00

CONTROL_NAMES = {
    0x00: "NUL", 0x01: "SOH", 0x02: "STX", 0x03: "ETX", 0x04: "EOT", 0x05: "ENQ", 0x06: "ACK",
    0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x0E: "SO", 0x0F: "SI", 0x11: "DC1",
    0x12: "DC2", 0x13: "DC3", 0x14: "DC4", 0x15: "NAK", 0x16: "SYN", 0x17: "ETB", 0x18: "CAN",
    0x19: "EM", 0x1A: "SUB", 0x1C: "FS", 0x1E: "RS", 0x1F: "US",
}

# Command byte after the prefix -> number of parameter bytes that follow it.
ESC_FIXED = {
    b"@": 0, b"!": 1, b"E": 1, b"-": 1, b"G": 1, b"M": 1, b"a": 1, b"{": 1, b"t": 1,
    b"d": 1, b"J": 1, b"2": 0, b"3": 1, b" ": 1, b"p": 3, b"R": 1,
}
GS_FIXED = {
    b"!": 1, b"B": 1, b"b": 1, b"h": 1, b"w": 1, b"H": 1, b"f": 1, b"a": 1, b"r": 1,
}
DLE_FIXED = {b"\x04": 1, b"\x05": 1}  # DLE EOT n, DLE ENQ n

CUT_MODES_WITH_FEED = {65, 66, 97, 98, 103, 104}
BARCODE_A_CHARSETS = {
    0: b"0123456789",
    1: b"0123456789",
    2: b"0123456789",
    3: b"0123456789",
    4: b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./",
    5: b"0123456789",
    6: b"0123456789ABCDabcd$+-./:",
}
MAX_TAB_STOPS = 32


@dataclass(frozen=True)
class Command:
    name: str  # "TEXT", "LF", "ESC !", "GS ( k", "UNKNOWN", ...
    raw: bytes  # every byte of the command, prefix included
    params: bytes = b""  # the bytes after the command's name bytes
    problem: str | None = None  # set when the bytes are not a valid command


def byte_name(byte: int) -> str:
    if byte in CONTROL_NAMES:
        return CONTROL_NAMES[byte]
    if 0x21 <= byte <= 0x7E:
        return chr(byte)
    return f"0x{byte:02x}"


def parse_command(buf: bytes | bytearray, pos: int) -> Command | None:
    """The command starting at buf[pos], or None if more bytes are needed to know."""
    first = buf[pos]
    if first == ESC:
        return _parse_esc(buf, pos)
    if first == GS:
        return _parse_gs(buf, pos)
    if first == DLE:
        return _parse_fixed(buf, pos, "DLE", DLE_FIXED)
    if first in (LF, CR, HT):
        return Command({LF: "LF", CR: "CR", HT: "HT"}[first], bytes([first]))
    if first == FS:
        return _unknown(buf, pos, "FS")
    if first < 0x20:
        return Command("UNKNOWN", bytes([first]), problem=f"unexpected control byte {byte_name(first)}")
    end = pos
    while end < len(buf) and buf[end] >= 0x20:
        end += 1
    return Command("TEXT", bytes(buf[pos:end]))


def _parse_esc(buf: bytes | bytearray, pos: int) -> Command | None:
    if pos + 1 >= len(buf):
        return None
    letter = bytes(buf[pos + 1 : pos + 2])
    if letter == b"D":
        return _parse_tab_stops(buf, pos)
    if letter == b"*":
        return _parse_column_image(buf, pos)
    return _parse_fixed(buf, pos, "ESC", ESC_FIXED)


def _parse_gs(buf: bytes | bytearray, pos: int) -> Command | None:
    if pos + 1 >= len(buf):
        return None
    letter = bytes(buf[pos + 1 : pos + 2])
    parsers = {b"(": _parse_gs_paren, b"8": _parse_gs_eight, b"v": _parse_gs_raster,
               b"V": _parse_cut, b"k": _parse_barcode}
    if letter in parsers:
        return parsers[letter](buf, pos)
    return _parse_fixed(buf, pos, "GS", GS_FIXED)


def _parse_fixed(buf: bytes | bytearray, pos: int, prefix: str, table: dict[bytes, int]) -> Command | None:
    if pos + 1 >= len(buf):
        return None
    letter = bytes(buf[pos + 1 : pos + 2])
    if letter not in table:
        return _unknown(buf, pos, prefix)
    end = pos + 2 + table[letter]
    if end > len(buf):
        return None
    return Command(f"{prefix} {_letter_name(letter[0])}", bytes(buf[pos:end]), bytes(buf[pos + 2 : end]))


def _unknown(buf: bytes | bytearray, pos: int, prefix: str) -> Command | None:
    # The prefix and the byte naming the command are skipped together: treating the
    # second byte as text would only add a misleading character to the printout.
    if pos + 1 >= len(buf):
        return None
    raw = bytes(buf[pos : pos + 2])
    return Command("UNKNOWN", raw, problem=f"unknown command {prefix} {byte_name(raw[1])}")


def _letter_name(byte: int) -> str:
    return {0x20: "SP", 0x04: "EOT", 0x05: "ENQ"}.get(byte, byte_name(byte))


def _parse_tab_stops(buf: bytes | bytearray, pos: int) -> Command | None:
    limit = min(len(buf), pos + 2 + MAX_TAB_STOPS + 1)
    for end in range(pos + 2, limit):
        if buf[end] == NUL:
            return Command("ESC D", bytes(buf[pos : end + 1]), bytes(buf[pos + 2 : end]))
    if limit < pos + 2 + MAX_TAB_STOPS + 1:
        return None
    return Command("UNKNOWN", bytes(buf[pos : pos + 2]), problem="ESC D with more than 32 tab stops")


def _parse_column_image(buf: bytes | bytearray, pos: int) -> Command | None:
    if pos + 5 > len(buf):
        return None
    mode, count = buf[pos + 2], buf[pos + 3] + buf[pos + 4] * 256
    if mode not in (0, 1, 32, 33):
        return Command("UNKNOWN", bytes(buf[pos : pos + 3]), problem=f"ESC * with invalid mode {mode}")
    end = pos + 5 + count * (3 if mode >= 32 else 1)
    return _complete("ESC *", buf, pos, end, 2)


def _parse_gs_paren(buf: bytes | bytearray, pos: int) -> Command | None:
    if pos + 5 > len(buf):
        return None
    end = pos + 5 + buf[pos + 3] + buf[pos + 4] * 256
    return _complete(f"GS ( {byte_name(buf[pos + 2])}", buf, pos, end, 5)


def _parse_gs_eight(buf: bytes | bytearray, pos: int) -> Command | None:
    if pos + 3 > len(buf):
        return None
    if buf[pos + 2] != ord("L"):
        return _unknown(buf, pos, "GS")
    if pos + 7 > len(buf):
        return None
    length = int.from_bytes(bytes(buf[pos + 3 : pos + 7]), "little")
    return _complete("GS 8 L", buf, pos, pos + 7 + length, 7)


def _parse_gs_raster(buf: bytes | bytearray, pos: int) -> Command | None:
    if pos + 3 > len(buf):
        return None
    if buf[pos + 2] != ord("0"):
        return _unknown(buf, pos, "GS")
    if pos + 8 > len(buf):
        return None
    width_bytes = buf[pos + 4] + buf[pos + 5] * 256
    height = buf[pos + 6] + buf[pos + 7] * 256
    return _complete("GS v 0", buf, pos, pos + 8 + width_bytes * height, 3)


def _parse_cut(buf: bytes | bytearray, pos: int) -> Command | None:
    if pos + 3 > len(buf):
        return None
    end = pos + (4 if buf[pos + 2] in CUT_MODES_WITH_FEED else 3)
    return _complete("GS V", buf, pos, end, 2)


def _parse_barcode(buf: bytes | bytearray, pos: int) -> Command | None:
    if pos + 3 > len(buf):
        return None
    kind = buf[pos + 2]
    if kind in BARCODE_A_CHARSETS:
        return _parse_nul_terminated_barcode(buf, pos, BARCODE_A_CHARSETS[kind])
    if 65 <= kind <= 78:
        if pos + 4 > len(buf):
            return None
        return _complete("GS k", buf, pos, pos + 4 + buf[pos + 3], 2)
    return Command("UNKNOWN", bytes(buf[pos : pos + 3]), problem=f"GS k with unknown barcode system {kind}")


def _parse_nul_terminated_barcode(buf: bytes | bytearray, pos: int, charset: bytes) -> Command | None:
    for end in range(pos + 3, len(buf)):
        if buf[end] == NUL:
            return Command("GS k", bytes(buf[pos : end + 1]), bytes(buf[pos + 2 : end]))
        if buf[end] not in charset:
            # A real printer ends the command here and prints the rest as ordinary data.
            return Command(
                "UNKNOWN",
                bytes(buf[pos:end]),
                problem=f"GS k {buf[pos + 2]}: byte {byte_name(buf[end])} is not allowed in this barcode",
            )
    return None


def _complete(name: str, buf: bytes | bytearray, pos: int, end: int, header: int) -> Command | None:
    if end > len(buf):
        return None
    return Command(name, bytes(buf[pos:end]), bytes(buf[pos + header : end]))
