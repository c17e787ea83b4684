"""Every screen in each of the five languages, at the kiosk's three screen sizes.

The pictures land in tests/kiosk/screens/screenshots/<size>/ (a person looks at them: no
clipped text, no missing glyphs); docs/screenshots/ keeps a representative copy, refreshed
when FRONTDESK_UPDATE_DOCS=1 is set.
"""

from __future__ import annotations

import os
import shutil

import pytest
from kiosk_ui import DOCS_SCREENSHOTS, SCREENSHOTS, start_kiosk
from PIL import Image
from tour import tour

NAMES = {"en": "Amelia Hart", "ro": "Ștefania Țăran", "de": "Jürgen Weiß", "fr": "Hélène Garçon",
         "pl": "Łucja Żółkiewska"}


@pytest.mark.parametrize("size, languages", [
    ("800x480", ("en", "ro", "de", "fr", "pl")),
    ("1024x600", ("pl",)),
    ("1920x1080", ("de",)),
])
def test_every_screen_in_every_language(scale_rig, xvfb, size, languages):
    scale_rig.start_agent()
    shots = SCREENSHOTS / size
    shutil.rmtree(shots, ignore_errors=True)
    ui = start_kiosk(scale_rig, xvfb.display, size)
    try:
        for language in languages:
            tour(ui, language, shots, NAMES[language], everything=size == "800x480")
    finally:
        ui.close()
    pictures = sorted(shots.glob("*.png"))
    assert len(pictures) == (16 if size == "800x480" else 11) * len(languages)
    width, height = (int(n) for n in size.split("x"))
    for picture in pictures:
        with Image.open(picture) as image:
            assert image.size == (width, height)
            assert len(image.convert("L").getcolors(maxcolors=1 << 16) or range(3)) > 2  # not blank
    if not os.environ.get("FRONTDESK_UPDATE_DOCS"):
        return  # the docs' copies change only when asked: FRONTDESK_UPDATE_DOCS=1 bash .ci/test
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for picture in pictures:
        if for_the_docs(size, picture.stem):
            shutil.copy(picture, DOCS_SCREENSHOTS / f"kiosk-{size}-{picture.name}")


def for_the_docs(size: str, stem: str) -> bool:
    """A representative set for docs/kiosk.md: every screen in Romanian (the test office's
    language), the welcome screen in every language, and a few others."""
    if size == "800x480":
        return stem.endswith("-ro") or stem.startswith("01-") or stem in {"08-done-pl", "07-policy-fr",
                                                                            "13-receipt-de"}
    return stem in {"01-welcome-pl", "04-host-de"}
