"""Every screen in each of the five languages, at the kiosk's three screen sizes.

The pictures land in tests/kiosk/screens/screenshots/<size>/ (a person looks at them: no
clipped text, no missing glyphs); docs/screenshots/ keeps a representative copy.
"""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from PIL import Image

from conftest import DOCS_SCREENSHOTS, SCREENSHOTS, start_kiosk
from tour import tour

NAMES = {"en": "Amelia Hart", "ro": "Ștefania Țăran", "de": "Jürgen Weiß", "fr": "Hélène Garçon",
         "pl": "Łucja Żółkiewska"}


@pytest.fixture
def scale_rig(kiosk_rig):
    """The rig plus a postage scale simulator (MT-SICS on a pty) holding an 85 g letter."""
    from contract.config import load_config
    from devices.scale.simulator import ScaleSimulator

    with ScaleSimulator("mt-sics", link=kiosk_rig.root / "scale") as scale:
        scale.settle(Decimal("85"), after=0.1)
        with kiosk_rig.config_path.open("a", encoding="utf-8") as config:
            config.write(f'\n[[scale]]\nid = "mail-scale"\nprotocol = "mt-sics"\ndevice = "{scale.device_path}"\n'
                         '[postage]\ncarrier = "deutschepost"\n')
        kiosk_rig.config = load_config(kiosk_rig.config_path)
        yield kiosk_rig


@pytest.mark.parametrize("size, languages", [
    ("800x480", ("en", "ro", "de", "fr", "pl")),
    ("1024x600", ("ro", "pl")),
    ("1920x1080", ("de", "fr")),
])
def test_every_screen_in_every_language(scale_rig, xvfb, size, languages):
    scale_rig.start_agent()
    shots = SCREENSHOTS / size
    shutil.rmtree(shots, ignore_errors=True)
    ui = start_kiosk(scale_rig, xvfb.display, size)
    try:
        for language in languages:
            tour(ui, language, shots, NAMES[language])
    finally:
        ui.close()
    pictures = sorted(shots.glob("*.png"))
    assert len(pictures) == 16 * len(languages)
    width, height = (int(n) for n in size.split("x"))
    for picture in pictures:
        with Image.open(picture) as image:
            assert image.size == (width, height)
            assert len(image.convert("L").getcolors(maxcolors=1 << 16) or range(3)) > 2  # not blank
    if size == "800x480":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for picture in pictures:
            if picture.stem.endswith(("-ro", "-pl")) or picture.stem.startswith("01-"):
                shutil.copy(picture, DOCS_SCREENSHOTS / f"kiosk-{picture.name}")
