"""Names in any script reach paper readably: right-to-left in visual order, Arabic joined,
CJK and emoji drawn, and a stated stand-in where no code page and no font has a character.

What is checked is what the simulator decodes from the bytes, not what Python sent."""

from __future__ import annotations

import arabic_reshaper
import pytest
from bidi import get_display
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from memory_printer import assert_clean, printed_lines, printer_in_memory

from frontdesk.devices.printer.blocks import Columns, Text
from frontdesk.devices.printer.compose import Composer
from frontdesk.devices.printer.fonts import Glyphs, stand_in, system_glyphs
from frontdesk.devices.printer.samples import sample_badge
from frontdesk.devices.printer.simulator import EscPosMachine, MemoryPrinterSimulator, RasterImage, TextLine
from frontdesk.devices.printer.text import refused_characters
from frontdesk.devices.printer.visual import cells, shape, visual, wrap

PROFILES = ["TM-T20II", "POS-5890"]
HEBREW = "דוד כהן"
ARABIC = "محمد علي"  # CP864 lacks some of its joined forms (medial HAH, final DAL, ...)
ARABIC_IN_CP864 = "سلام"  # every joined form of it is in CP864
CJK_AND_EMOJI = "李小龍 😀"


def printed(profile: str, blocks, glyphs: Glyphs | None = None) -> EscPosMachine:
    machine = EscPosMachine(profile=profile)
    machine.feed(Composer(profile, glyphs).compose(blocks))
    assert_clean(machine)
    return machine


def printed_badge(profile: str, name: str) -> EscPosMachine:
    """The sample badge for `name`, through the driver, as the simulated printer decoded it."""
    simulator = MemoryPrinterSimulator(profile)
    printer_in_memory(simulator, profile=profile).print_document(sample_badge(name))
    job = simulator.last_job()
    assert_clean(job)
    return job


def reshaped(text: str) -> str:
    return arabic_reshaper.ArabicReshaper(configuration={"ARABIC LIGATURE ALLAH": False}).reshape(text)


@pytest.mark.parametrize("profile", PROFILES)
def test_a_hebrew_badge_prints_its_name_in_visual_order(profile):
    job = printed_badge(profile, HEBREW)
    lines = printed_lines(job)
    assert get_display(HEBREW) in lines  # sent as text, from a Hebrew code page
    assert HEBREW not in lines  # the reversed name of issue 22
    assert get_display(HEBREW) == "ןהכ דוד"  # first letter of each word rightmost


def test_the_simulator_decodes_the_hebrew_page_as_the_standard_has_it():
    machine = EscPosMachine(profile="TM-T20II")
    machine.feed(b"\x1bt\x24" + bytes(range(0x80, 0x9B)) + b"\n")  # ESC t 36: CP862, 0x80.. alef to tav
    assert_clean(machine)
    assert printed_lines(machine) == ["".join(map(chr, range(0x05D0, 0x05EB)))]


@pytest.mark.parametrize("profile", PROFILES)
def test_a_hebrew_value_beside_a_latin_label_keeps_both_readable(profile):
    job = printed(profile, [Columns("Host", "מירב לוי"), Text("Host: מירב לוי (IT) 12")])
    first, second = printed_lines(job)
    assert first.startswith("Host ") and first.endswith(get_display("מירב לוי"))
    assert second == get_display("Host: מירב לוי (IT) 12") == "Host: יול ברימ (IT) 12"


def test_a_long_right_to_left_name_is_wrapped_first_and_reordered_per_line():
    name = "אברהם בן דוד מירושלים הבירה"
    job = printed("POS-5890", [Text(name, width=2)])  # 16 cells a line
    logical = wrap(name, 16)
    assert len(logical) > 1
    assert printed_lines(job) == [get_display(line) for line in logical]
    assert logical[0].startswith("אברהם")  # the first words are on the first line


def test_vowel_points_are_left_out_so_the_name_still_prints_from_a_code_page():
    job = printed("TM-T20II", [Text("שָׁלוֹם")])
    assert printed_lines(job) == [get_display("שלום")]


@pytest.mark.parametrize("profile", PROFILES)
def test_arabic_joined_forms_a_code_page_has_print_as_text(profile):
    job = printed(profile, [Text(ARABIC_IN_CP864)])
    [line] = printed_lines(job)
    assert line == get_display(reshaped(ARABIC_IN_CP864)) == "ﻡﻼﺳ"  # meem final, lam-alef, seen initial
    assert all(0xFE70 <= ord(c) <= 0xFEFF for c in line)  # presentation forms, not the bare letters


@pytest.mark.parametrize("profile", PROFILES)
def test_arabic_a_code_page_cannot_join_is_drawn_joined(profile):
    job = printed(profile, [Text("Vizitator", align="center"), Text(ARABIC, align="center")])
    plain, image = job.elements
    assert isinstance(plain, TextLine) and plain.text == "Vizitator"
    assert isinstance(image, RasterImage) and image.image.convert("L").getextrema()[0] == 0
    # What was drawn: the joined forms, in the order the paper shows them.
    assert visual(shape(ARABIC)) == get_display(reshaped(ARABIC))
    assert all(system_glyphs().in_mono(c) for c in visual(shape(ARABIC)) if c != " ")


@pytest.mark.parametrize("profile", PROFILES)
def test_a_cjk_and_emoji_badge_draws_the_name(profile):
    job = printed_badge(profile, CJK_AND_EMOJI)
    assert all("?" not in line and "Li" not in line for line in printed_lines(job))
    images = [e for e in job.elements if isinstance(e, RasterImage) and e.image.height == 3 * 24 + 6]
    assert len(images) == 1  # the name, at the badge's 2 x 3 size
    ink = images[0].image.convert("L").point(lambda v: 255 - v).getbbox()
    # 9 cells of 24 dots (two per ideograph and for the emoji, one for the space), centred.
    assert ink is not None and 170 < ink[2] - ink[0] <= 9 * 24
    assert abs((ink[0] + ink[2]) / 2 - images[0].image.width / 2) < 24


def test_the_fonts_bootstrap_installs_have_the_glyphs():
    glyphs = system_glyphs()
    assert all(glyphs.has(c) for c in "李小龍김민준アイ😀👍🎉" + HEBREW.replace(" ", ""))


def test_without_fallback_fonts_cjk_and_emoji_print_as_their_stated_stand_ins():
    job = printed("TM-T20II", [Text(CJK_AND_EMOJI, align="center", bold=True, width=2, height=3)], Glyphs(()))
    assert printed_lines(job) == ["LiXiaoLong :grinning:"]
    assert stand_in("\ufe0f") == "" and stand_in("\U000e0100") == ""  # variation selectors: nothing
    assert stand_in("\U0010fff0") == "?"


def test_without_fallback_fonts_hebrew_still_prints_from_its_code_page():
    job = printed("TM-T20II", [Text(HEBREW)], Glyphs(()))
    assert printed_lines(job) == [get_display(HEBREW)]


@pytest.mark.parametrize("profile", PROFILES)
def test_office_language_diacritics_are_unchanged(profile):
    job = printed(profile, [Text("ș ț ă ł ą ß é Ż è ç œ"), Columns("Zoë Brândușa", "12,50 zł")])
    first, second = printed_lines(job)
    assert first == "ş ţ ă ł ą ß é Ż è ç œ"  # comma-below folds to cedilla, as before
    assert second.startswith("Zoë Brânduşa") and second.endswith("12,50 zł")


def test_wide_characters_wrap_and_pad_by_cells():
    assert cells("李小龍 😀") == 9
    assert wrap("李小龍李小龍", 5) == ["李小", "龍李", "小龍"]
    assert wrap("ab 李小龍", 4) == ["ab", "李小", "龍"]
    job = printed("POS-5890", [Columns("李小龍", "1,00"), Columns("Ab", "1,00")])
    assert [type(e) for e in job.elements] == [RasterImage, TextLine]


def test_a_value_as_wide_as_the_paper_gets_a_line_of_its_own():
    value = "0" * 32
    job = printed("POS-5890", [Columns("Badge", value), Columns("", value)])
    assert printed_lines(job) == ["Badge", value, value]


ACCEPTED = st.text(
    st.one_of(
        st.characters(exclude_categories=("Cc", "Cs")),
        st.sampled_from("דוד\u05b4محمدلا\u064e李😀\ufe0f\u200d👍ș ß\u0309\u0301 ()"),
    ),
    max_size=70,
).filter(lambda text: not refused_characters(text))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=ACCEPTED, profile=st.sampled_from([*PROFILES, "simple"]))
def test_anything_a_request_may_carry_renders_without_error(name, profile):
    blocks = [Text(name, align="center", bold=True, width=2, height=3), Columns(name, name), Text(name)]
    job = printed(profile, blocks)  # asserts the printer saw no error and no line wider than the paper
    assert job.elements or not name.strip()
    for element in job.elements:
        if isinstance(element, TextLine):
            assert "\ufffd" not in element.text
