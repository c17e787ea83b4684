"""The ESC/POS printer simulator's protocol: parsing, strictness, code pages, status, layout."""

from __future__ import annotations

import pytest
from escpos_samples import DLE_EOT, NAMES, escpos_bytes, parsed, pattern_image, receipt_document
from PIL import Image

from frontdesk.devices.printer.simulator import (
    Barcode,
    Cut,
    DrawerKick,
    EscPosMachine,
    Feed,
    PrinterState,
    Qr,
    RasterImage,
    TextLine,
    TextRun,
    decode_file,
)

# -- python-escpos output parses cleanly -------------------------------------------


@pytest.mark.parametrize(
    "steps, expected",
    [
        ([lambda p: p.hw("INIT")], []),
        ([lambda p: p.textln("Hello")], [TextLine((TextRun("Hello"),))]),
        ([lambda p: p.text("a"), lambda p: p.ln(2)], [TextLine((TextRun("a"),)), TextLine(())]),
        ([lambda p: p.print_and_feed(3)], [Feed(3)]),
        ([lambda p: p.cut()], [Feed(6), Cut(partial=False)]),
        ([lambda p: p.cut(mode="PART")], [Feed(6), Cut(partial=True)]),
        # cut(feed=False) sends GS V 66 0: a *partial* cut, whatever mode says.
        ([lambda p: p.cut(feed=False)], [Cut(partial=True)]),
        ([lambda p: p.cashdraw(2)], [DrawerKick(pin=2, on_ms=100, off_ms=100)]),
        ([lambda p: p.cashdraw(5)], [DrawerKick(pin=5, on_ms=100, off_ms=100)]),
        (
            [lambda p: p.set(align="right", bold=True, underline=2, invert=True, font="b",
                             custom_size=True, width=3, height=2), lambda p: p.textln("x")],
            [TextLine((TextRun("x", bold=True, underline=2, width=3, height=2, font=1, invert=True),), "right")],
        ),
        (
            [lambda p: p.set(bold=True, double_width=True, flip=True, smooth=True),
             lambda p: p.set_with_default(), lambda p: p.textln("plain")],
            [TextLine((TextRun("plain"),))],
        ),
        ([lambda p: p.qr("https://example.org/a", native=True, size=6, ec=1)],
         [Qr("https://example.org/a", 6, "M")]),
        ([lambda p: p.qr("HELLO", native=True)], [Qr("HELLO", 3, "L")]),
        ([lambda p: p.barcode("4006381333931", "EAN13")],
         [Barcode("EAN13", "4006381333931", 64, 3, "below", "center")]),
        ([lambda p: p.barcode("{BFD-42", "CODE128", pos="OFF", align_ct=False)],
         [Barcode("CODE128", "FD-42", 64, 3, "none", "left")]),
        ([lambda p: p.control("HT"), lambda p: p.text("a\tb\n")], [TextLine((TextRun("a       b"),))]),
        ([lambda p: p.line_spacing(40), lambda p: p.line_spacing()], []),
    ],
)
def test_python_escpos_commands_parse_without_errors(steps, expected):
    machine = parsed(escpos_bytes(*steps))
    assert machine.errors == []
    assert machine.overflows == []
    assert machine.elements == expected


@pytest.mark.parametrize("impl, source", [("bitImageRaster", "raster"), ("graphics", "graphics"),
                                          ("bitImageColumn", "column")])
def test_python_escpos_images_come_out_dot_for_dot(impl, source):
    picture = pattern_image()
    machine = parsed(escpos_bytes(lambda p: p.image(picture, impl=impl)))
    assert machine.errors == []
    [printed] = machine.elements
    assert isinstance(printed, RasterImage) and printed.source == source
    assert printed.image.mode == "1"
    assert printed.image.crop((0, 0, *picture.size)).tobytes() == picture.tobytes()


def test_python_escpos_image_qr_prints_as_an_image():
    machine = parsed(escpos_bytes(lambda p: p.qr("https://example.org", native=False)))
    assert machine.errors == []
    assert [type(element) for element in machine.elements] == [TextLine, RasterImage, TextLine, TextLine]


def test_python_escpos_graphics_length_wraps_for_tall_full_width_images():
    # _int_low_high(len, 2) silently drops the third byte of GS ( L's length.
    tall = Image.new("1", (576, 960), 1)
    machine = parsed(escpos_bytes(lambda p: p.image(tall, impl="graphics")))
    assert "wrong pL pH" in machine.errors[0]
    short_fragments = parsed(escpos_bytes(lambda p: p.image(tall, impl="graphics", fragment_height=800)))
    assert short_fragments.errors == []
    assert [element.size for element in short_fragments.elements] == [(576, 800), (576, 160)]


# -- byte boundaries -----------------------------------------------------------------


def mixed_document() -> bytes:
    return (
        escpos_bytes(
            lambda p: p.hw("INIT"),
            lambda p: p.textln("Łucja Żółkiewska"),
            lambda p: p.set(double_width=True),
            lambda p: p.textln("Ştefan Ţăranu"),
            lambda p: p.qr("https://x.example", native=True),
            lambda p: p.barcode("12345678", "EAN8", align_ct=False),
            lambda p: p.image(pattern_image(20, 6), impl="graphics"),
            lambda p: p.image(pattern_image(16, 4)),
            lambda p: p.cashdraw(2),
        )
        + DLE_EOT + b"\x01" + b"\x1b\x7fok\n" + b"A" * 50 + b"\n"
        + escpos_bytes(lambda p: p.cut())
    )


def outcome(machine: EscPosMachine, replies: bytes) -> tuple:
    return machine.elements, machine.errors, machine.overflows, replies


def test_commands_split_at_every_byte_boundary_parse_the_same():
    document = mixed_document()
    whole = EscPosMachine()
    expected = outcome(whole, whole.feed(document))
    assert len(expected[1]) == 1 and len(expected[2]) == 1  # the doc does exercise both lists
    for split in range(1, len(document)):
        machine = EscPosMachine()
        replies = machine.feed(document[:split]) + machine.feed(document[split:])
        assert outcome(machine, replies) == expected, f"split at byte {split}"
    one_by_one = EscPosMachine()
    replies = b"".join(one_by_one.feed(document[i : i + 1]) for i in range(len(document)))
    assert outcome(one_by_one, replies) == expected


# -- strictness -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, message",
    [
        (b"ab\x1b\x7f\n", "offset 2: unknown command ESC 0x7f"),
        (b"\x1d!\x88", "offset 0: GS ! 0x88: width 9 and height 9 must both be 1..8"),
        (b"\x1bt\x63", "offset 0: ESC t 99: TM-T20II has no code page 99"),
        (b"\x1bt\x2d\x41\x81", "offset 4: byte 0x81 has no character in code page 45 (CP1250)"),
        (b"\x07", "offset 0: unexpected control byte BEL"),
        (b"\x1d|\x04", "offset 0: unknown command GS |"),  # python-escpos set(density=...)
        (b"\x1ba\x05", "offset 0: ESC a 5: justification must be 0, 1, 2, 48, 49 or 50"),
        (b"x\x1ba\x01", "offset 1: ESC a ignored: not at the beginning of a line (after 'x')"),
        (b"x\x1b@", "offset 1: ESC @ discarded unprinted text 'x' (no LF before it)"),
        (b"x\x1dk\x0312345670\x00", "offset 1: GS k ignored: text 'x' is waiting in the line buffer"),
        (b"\x1d(k\x03\x001Q0", "offset 0: GS ( k QR print with no data stored (function 80 missing)"),
        (b"\x1dk\x02ABC\x00", "offset 0: GS k 2: byte A is not allowed in this barcode"),
        (b"\x1dk\x0212345\x00", "offset 0: EAN13 needs [12, 13] digits, got '12345'"),
        (b"\x1dw\x09", "offset 0: GS w 9: barcode module width must be 2..6"),
        (b"\x10\x04\x05", "offset 0: DLE EOT 5: only 1..4 are status requests"),
        (b"\x1d(A\x02\x00\x00\x00", "offset 0: GS ( A is not simulated"),
        (b"\x1dv0\x00\x50\x00\x01\x00" + b"\x00" * 80, "offset 0: GS v 0 image is 640 dots wide, the paper 576"),
    ],
)
def test_invalid_input_is_recorded_as_an_error(data, message):
    machine = parsed(data)
    assert machine.errors, "no error recorded"
    assert machine.errors[0].startswith(message)


def test_parsing_goes_on_after_an_unknown_command():
    machine = parsed(b"\x1b\x7fabc\n\x1bE\x01def\n")
    assert len(machine.errors) == 1
    assert machine.elements == [TextLine((TextRun("abc"),)), TextLine((TextRun("def", bold=True),))]


# -- code pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, codec, page",
    [(NAMES[0], "cp852", 18), (NAMES[0], "cp1250", 45), (NAMES[1], "cp857", 13), (NAMES[1], "cp1250", 45),
     (NAMES[2], "cp857", 13), (NAMES[3], "cp852", 18), (NAMES[3], "cp1250", 45)],
)
def test_text_decodes_in_the_selected_code_page(name, codec, page):
    machine = parsed(b"\x1bt" + bytes([page]) + name.encode(codec) + b"\n")
    assert machine.errors == []
    assert [line.text for line in machine.elements] == [name]


def test_esc_at_returns_to_code_page_0():
    machine = parsed(b"\x1bt\x12\x9d\n\x1b@\x9d\n")
    assert [line.text for line in machine.elements] == ["Ł", "¥"]


def test_python_escpos_does_not_reselect_the_code_page_after_init():
    machine = parsed(escpos_bytes(lambda p: p.textln("Ł"), lambda p: p.hw("INIT"), lambda p: p.textln("Ł")))
    assert [line.text for line in machine.elements] == ["Ł", "¥"]


def test_python_escpos_prints_a_question_mark_for_comma_below():
    machine = parsed(escpos_bytes(lambda p: p.textln("ș ț")))
    assert [line.text for line in machine.elements] == ["? ?"]


# -- status -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes, replies",
    [
        ({}, [0x12, 0x12, 0x12, 0x12]),
        ({"paper": "near_end"}, [0x12, 0x12, 0x12, 0x1E]),
        ({"paper": "out"}, [0x1A, 0x32, 0x12, 0x72]),
        ({"cover_open": True}, [0x1A, 0x16, 0x12, 0x12]),
        ({"online": False}, [0x1A, 0x12, 0x12, 0x12]),
        ({"drawer_open": True}, [0x16, 0x12, 0x12, 0x12]),
        ({"error": "mechanical"}, [0x1A, 0x52, 0x16, 0x12]),
        ({"error": "cutter"}, [0x1A, 0x52, 0x1A, 0x12]),
        ({"error": "unrecoverable"}, [0x1A, 0x52, 0x32, 0x12]),
        ({"error": "recoverable"}, [0x1A, 0x52, 0x52, 0x12]),
    ],
)
def test_dle_eot_answers_in_epson_bit_layout(changes, replies):
    machine = EscPosMachine(state=PrinterState(**changes))
    answer = machine.feed(b"".join(DLE_EOT + bytes([n]) for n in (1, 2, 3, 4)))
    assert list(answer) == replies
    assert machine.errors == []


def test_gs_r_reports_paper_sensors_and_drawer():
    assert parsed(b"").feed(b"\x1dr\x01\x1dr\x02") == b"\x00\x00"
    machine = EscPosMachine(state=PrinterState(paper="near_end", drawer_open=True))
    assert machine.feed(b"\x1dr\x31\x1dr\x32") == b"\x03\x01"


def test_silent_printer_never_answers():
    machine = EscPosMachine(state=PrinterState(answers_status=False))
    assert machine.feed(DLE_EOT + b"\x01" + DLE_EOT + b"\x04" + b"\x1dr\x01") == b""
    assert machine.errors == []


def test_paper_out_drops_printable_data_but_answers_status():
    state = PrinterState(paper="out")
    machine = EscPosMachine(state=state)
    assert machine.feed(b"lost\n" + DLE_EOT + b"\x04") == b"\x72"
    assert machine.elements == [] and machine.dropped_bytes == 5
    state.paper = "ok"
    machine.feed(b"kept\n")
    assert [line.text for line in machine.elements] == ["kept"]


def test_state_rejects_unknown_values():
    with pytest.raises(ValueError):
        PrinterState().paper = "empty"


# -- layout -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "prefix, text, overflows",
    [(b"", "A" * 48, False), (b"", "A" * 49, True), (b"\x1d!\x10", "W" * 24, False),
     (b"\x1d!\x10", "W" * 25, True), (b"\x1bM\x01", "b" * 64, False), (b"\x1bM\x01", "b" * 65, True)],
)
def test_lines_wider_than_the_paper_are_recorded_and_wrapped(prefix, text, overflows):
    machine = parsed(prefix + text.encode() + b"\n")
    assert bool(machine.overflows) is overflows
    assert "".join(line.text for line in machine.elements) == text
    assert len(machine.elements) == (2 if overflows else 1)


@pytest.mark.parametrize("profile, columns", [("simple", 42), ("CT-S651", 48), ("TH230", 44)])
def test_line_width_follows_the_profile(profile, columns):
    # "simple" gives its paper width as "Unknown": 42 font-A columns of 12 dots are assumed.
    machine = EscPosMachine(profile)
    machine.feed(b"A" * columns + b"\n" + b"B" * (columns + 1) + b"\n")
    assert [len(line.text) for line in machine.elements] == [columns, columns, 1]
    assert len(machine.overflows) == 1


def test_text_rendering_shows_layout_and_markers():
    data = (
        b"\x1ba\x01\x1d!\x11Hi\n\x1d!\x00\x1ba\x02right\n\x1ba\x00"
        + escpos_bytes(lambda p: p.qr("https://e.x/1", native=True, size=6, ec=1),
                       lambda p: p.barcode("123456789012", "EAN13", align_ct=False),
                       lambda p: p.image(Image.new("1", (576, 48), 0)),
                       lambda p: p.print_and_feed(3), lambda p: p.cashdraw(2),
                       lambda p: p.cut(feed=False), lambda p: p.cut())
        + b"\x1b\x7f"
    )
    assert parsed(data).text_rendering() == (
        " " * 22 + "Hi\n"
        + " " * 43 + "right\n"
        "[QR ec=M size=6] https://e.x/1\n"
        "[BARCODE EAN13] 123456789012\n"
        "[IMAGE 576x48]\n"
        "[FEED 3]\n"
        "[DRAWER pin 2 on 100ms off 100ms]\n"
        "- - - - partial cut - - - -\n"
        "[FEED 6]\n"
        "-------- cut --------\n"
        f"!! ERROR offset {len(data) - 2}: unknown command ESC 0x7f\n"
    )


def test_png_rendering_draws_the_paper(tmp_path):
    path = parsed(receipt_document()).png_rendering(tmp_path / "receipt.png")
    with Image.open(path) as image:
        assert image.width == 576
        assert image.height > 400
        assert image.convert("L").getextrema()[0] == 0  # some dots are black


def test_png_rendering_names_the_font_package_when_fonts_are_missing(tmp_path, monkeypatch):
    from frontdesk.devices.printer import fonts

    monkeypatch.setattr(fonts, "_FONT_DIRS", (tmp_path,))
    fonts.mono_font.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="fonts-dejavu-core"):
            parsed(b"x\n").png_rendering(tmp_path / "x.png")
    finally:
        fonts.mono_font.cache_clear()


def test_decode_file_reads_what_a_file_connection_wrote(tmp_path):
    path = tmp_path / "lp0"
    path.write_bytes(escpos_bytes(lambda p: p.textln(NAMES[1]), lambda p: p.cut()))
    assert decode_file(path).elements == [TextLine((TextRun(NAMES[1]),)), Feed(6), Cut(partial=False)]
