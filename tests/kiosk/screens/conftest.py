"""Fixtures of the kiosk's UI tests: one Xvfb per session (CI has no display), the app at
800x480 against a running agent, and a rig with a postage scale. Helpers: kiosk_ui.py."""

from __future__ import annotations

from decimal import Decimal

import pytest
from kiosk_ui import Xvfb, start_kiosk


@pytest.fixture(scope="session")
def xvfb():
    server = Xvfb()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def scale_rig(kiosk_rig):
    """The rig plus a postage scale simulator (MT-SICS on a pty) holding an 85 g letter."""
    from frontdesk.contract.config import load_config
    from frontdesk.devices.scale.simulator import ScaleSimulator

    with ScaleSimulator("mt-sics", link=kiosk_rig.root / "scale") as scale:
        scale.settle(Decimal(85), after=0.1)
        with kiosk_rig.config_path.open("a", encoding="utf-8") as config:
            config.write(f'\n[[scale]]\nid = "mail-scale"\nprotocol = "mt-sics"\ndevice = "{scale.device_path}"\n'
                         '[postage]\ncarrier = "deutschepost"\n')
        kiosk_rig.config = load_config(kiosk_rig.config_path)
        yield kiosk_rig


@pytest.fixture
def kiosk_ui(kiosk_rig, xvfb):
    """The app at 800x480 against a rig whose agent is running."""
    kiosk_rig.start_agent()
    ui = start_kiosk(kiosk_rig, xvfb.display)
    try:
        yield ui
    finally:
        ui.close()
