"""QR codes (GS ( k) and barcodes (GS k): settings, validation and decoded content."""

from __future__ import annotations

from dataclasses import dataclass

from .elements import Barcode, Qr
from .errors import CommandError

QR_EC_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}
TWO_D_SYMBOLS = {48: "PDF417", 49: "QR Code", 50: "MaxiCode", 51: "GS1 DataBar", 52: "Aztec", 53: "DataMatrix"}

BARCODE_SYMBOLOGIES = {
    0: "UPC-A", 1: "UPC-E", 2: "EAN13", 3: "EAN8", 4: "CODE39", 5: "ITF", 6: "CODABAR",
    65: "UPC-A", 66: "UPC-E", 67: "EAN13", 68: "EAN8", 69: "CODE39", 70: "ITF", 71: "CODABAR",
    72: "CODE93", 73: "CODE128", 74: "GS1-128", 75: "GS1 DATABAR OMNIDIRECTIONAL",
    76: "GS1 DATABAR TRUNCATED", 77: "GS1 DATABAR LIMITED", 78: "GS1 DATABAR EXPANDED",
}
_DIGIT_LENGTHS = {
    "UPC-A": {11, 12}, "UPC-E": {6, 7, 8, 11, 12}, "EAN13": {12, 13}, "EAN8": {7, 8},
    "GS1 DATABAR OMNIDIRECTIONAL": {13}, "GS1 DATABAR TRUNCATED": {13}, "GS1 DATABAR LIMITED": {13},
}
_CODE39_CHARS = set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./")
_CODABAR_CHARS = set("0123456789$+-./:")
HRI_POSITIONS = {0: "none", 1: "above", 2: "below", 3: "both"}


@dataclass
class QrSettings:
    """What GS ( k has set up for the next QR code; Epson's power-on defaults."""

    model: int = 2
    module_size: int = 3
    error_correction: str = "L"
    data: bytes | None = None

    def handle(self, params: bytes, align: str, paper_dots: int) -> Qr | None:
        """Apply one GS ( k function; returns the printed code for function 81."""
        if len(params) < 2:
            raise CommandError("GS ( k is too short to name a symbol and function")
        symbol, function, rest = params[0], params[1], params[2:]
        if symbol != 49:
            name = TWO_D_SYMBOLS.get(symbol, "unknown symbol")
            raise CommandError(f"GS ( k cn={symbol} ({name}) is not simulated")
        if function == 65:
            self._select_model(rest)
        elif function == 67:
            self._set_module_size(rest)
        elif function == 69:
            self._set_error_correction(rest)
        elif function == 80:
            self._store(rest)
        elif function == 81:
            return self._print(rest, align, paper_dots)
        else:
            raise CommandError(f"GS ( k QR function {function} is not simulated")
        return None

    def _select_model(self, rest: bytes) -> None:
        if len(rest) != 2 or rest[0] not in (49, 50, 51) or rest[1] != 0:
            raise CommandError(f"GS ( k QR model: expected n1 in 49..51 and n2 = 0, got {list(rest)}")
        self.model = rest[0] - 48

    def _set_module_size(self, rest: bytes) -> None:
        if len(rest) != 1 or not 1 <= rest[0] <= 16:
            raise CommandError(f"GS ( k QR module size must be one byte 1..16, got {list(rest)}")
        self.module_size = rest[0]

    def _set_error_correction(self, rest: bytes) -> None:
        if len(rest) != 1 or rest[0] not in QR_EC_LEVELS:
            raise CommandError(f"GS ( k QR error correction must be one byte 48..51, got {list(rest)}")
        self.error_correction = QR_EC_LEVELS[rest[0]]

    def _store(self, rest: bytes) -> None:
        if len(rest) < 2 or rest[0] != 48:
            raise CommandError("GS ( k QR store: expected m = 48 and at least one data byte")
        self.data = bytes(rest[1:])

    def _print(self, rest: bytes, align: str, paper_dots: int) -> Qr:
        if rest != b"0":
            raise CommandError(f"GS ( k QR print: expected m = 48, got {list(rest)}")
        if self.data is None:
            raise CommandError("GS ( k QR print with no data stored (function 80 missing)")
        modules = qr_module_count(self.data, self.error_correction)
        if modules * self.module_size > paper_dots:
            raise CommandError(
                f"QR code is {modules * self.module_size} dots wide, the paper {paper_dots}: not printed"
            )
        payload = self.data.decode("utf-8", errors="replace")
        return Qr(payload, self.module_size, self.error_correction, self.model, align)


def qr_module_count(data: bytes, error_correction: str) -> int:
    import qrcode  # imported here: only needed when a QR code is printed
    from qrcode.exceptions import DataOverflowError

    levels = {"L": qrcode.ERROR_CORRECT_L, "M": qrcode.ERROR_CORRECT_M,
              "Q": qrcode.ERROR_CORRECT_Q, "H": qrcode.ERROR_CORRECT_H}
    code = qrcode.QRCode(error_correction=levels[error_correction], box_size=1, border=0)
    code.add_data(data)
    try:
        code.make(fit=True)
    except (DataOverflowError, ValueError) as exc:
        raise CommandError(f"QR data of {len(data)} bytes does not fit a QR code at level {error_correction}") from exc
    return code.modules_count


def barcode(params: bytes, height: int, module_width: int, hri_position: str, align: str) -> Barcode:
    """GS k m d... NUL or GS k m n d...; params start at m."""
    kind = params[0]
    data = params[1:] if kind < 65 else params[2:]
    symbology = BARCODE_SYMBOLOGIES[kind]
    text = _barcode_text(symbology, bytes(data))
    return Barcode(symbology, text, height, module_width, hri_position, align)


def _barcode_text(symbology: str, data: bytes) -> str:
    if symbology in ("CODE128", "GS1-128"):
        return _code128_text(data)
    text = data.decode("ascii", errors="replace")
    if symbology in _DIGIT_LENGTHS:
        if not text.isdigit() or len(text) not in _DIGIT_LENGTHS[symbology]:
            allowed = sorted(_DIGIT_LENGTHS[symbology])
            raise CommandError(f"{symbology} needs {allowed} digits, got {text!r}")
    elif symbology == "CODE39" and (not text or not set(text) <= _CODE39_CHARS):
        raise CommandError(f"CODE39 cannot encode {text!r}")
    elif symbology == "ITF" and (not text.isdigit() or len(text) % 2):
        raise CommandError(f"ITF needs an even number of digits, got {text!r}")
    elif symbology == "CODABAR" and not _is_codabar(text):
        raise CommandError(f"CODABAR needs start/stop characters A-D around 0-9$+-./:, got {text!r}")
    elif symbology == "CODE93" and (not data or max(data) > 0x7F):
        raise CommandError("CODE93 takes 1..255 bytes of 7-bit data")
    return text


def _is_codabar(text: str) -> bool:
    ends = set("ABCDabcd")
    return len(text) >= 2 and text[0] in ends and text[-1] in ends and set(text[1:-1]) <= _CODABAR_CHARS


def _code128_text(data: bytes) -> str:
    """What prints under a CODE128 symbol; code set C packs two digits per byte 0..99."""
    if len(data) < 2 or data[:1] != b"{" or data[1:2] not in (b"A", b"B", b"C"):
        raise CommandError("CODE128 data must start with {A, {B or {C to select a code set")
    text: list[str] = []
    code_set, index = "", 0
    while index < len(data):
        byte = data[index]
        if byte == ord("{"):
            if index + 1 >= len(data):
                raise CommandError("CODE128 data ends with a lone '{'")
            special = chr(data[index + 1])
            if special in "ABC":
                code_set = special
            elif special == "{":
                text.append("{")
            elif special not in "S1234":  # shift and FNC1..4 print nothing
                raise CommandError(f"CODE128 data has an unknown special character {{{special}")
            index += 2
            continue
        if code_set == "C":
            if byte > 99:
                raise CommandError(f"CODE128 code set C takes byte values 0..99 (two digits each), got {byte}")
            text.append(f"{byte:02d}")
        elif 0x20 <= byte < 0x7F:
            text.append(chr(byte))
        elif byte > 0x7F:
            raise CommandError(f"CODE128 cannot encode byte 0x{byte:02x}")
        index += 1
    return "".join(text)
