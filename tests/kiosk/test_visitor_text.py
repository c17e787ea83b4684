"""Properties of what visitors type: search without diacritics, and CSV cells that stay text."""

from __future__ import annotations

import csv
import io
import tempfile
import unicodedata
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from frontdesk.kiosk.names import CODE_ALPHABET, fold, new_code, normalise_code
from frontdesk.kiosk.visitor_export import FORMULA_STARTS, neutralise, write_csv
from frontdesk.kiosk.visits import VisitorLog

# The letters of the kiosk's five languages, as its touch keyboard offers them.
LETTERS = "abcdefghijklmnopqrstuvwxyz" "ăâîșț" "äöüß" "éèêçàùûôœ" "ąćęłńóśźż"
# What someone types on a keyboard without those letters.
PLAIN = str.maketrans({"ă": "a", "â": "a", "î": "i", "ș": "s", "ț": "t", "ä": "a", "ö": "o", "ü": "u", "é": "e",
                       "è": "e", "ê": "e", "ç": "c", "à": "a", "ù": "u", "û": "u", "ô": "o", "ą": "a", "ć": "c",
                       "ę": "e", "ł": "l", "ń": "n", "ó": "o", "ś": "s", "ź": "z", "ż": "z"})
words = st.text(alphabet=LETTERS, min_size=1, max_size=12)
names = st.lists(words, min_size=1, max_size=3).map(lambda parts: " ".join(p.capitalize() for p in parts))


@given(st.text(max_size=40))
def test_folding_is_idempotent_and_leaves_no_marks(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert not any(unicodedata.combining(char) for char in unicodedata.normalize("NFKD", folded))


@settings(max_examples=60, deadline=None)
@given(names)
def test_a_visitor_is_found_by_their_name_typed_without_diacritics_or_capitals(name):
    with tempfile.TemporaryDirectory() as folder:
        log = VisitorLog(Path(folder) / "visitors.db")
        try:
            visit = log.sign_in(name=name, language="en")
            typed = name.lower().replace("ß", "ss").translate(PLAIN)
            assert [v.id for v in log.find_on_site(typed)] == [visit.id]
            assert [v.id for v in log.find_on_site(name.upper())] == [visit.id]
        finally:
            log.close()


@given(st.text(max_size=30))
def test_a_cell_is_never_left_starting_like_a_formula(text):
    cell = neutralise(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell == text or cell == "'" + text


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20),
                min_size=3, max_size=3))
def test_csv_rows_read_back_as_the_defused_text(values):
    from frontdesk.kiosk.visits import Visit

    name, company, note = values
    visit = Visit("id", "001", "CODE", name, company, None, None, {"note": note}, "en",
                  datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc), None, False, None, False)
    out = io.StringIO()
    write_csv(out, [visit], timezone.utc)
    (row,) = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    assert (row["name"], row["company"], row["note"]) == (neutralise(name), neutralise(company), neutralise(note))


@given(st.text(alphabet=" -_.\n", max_size=3), st.text(alphabet=" -_.\n", max_size=3))
def test_a_code_is_read_whatever_the_case_spaces_and_dashes(before, after):
    code = new_code(10)
    assert len(code) == 10 and set(code) <= set(CODE_ALPHABET)
    typed = before + code[:5].lower() + "-" + code[5:] + after
    assert normalise_code(typed) == code
