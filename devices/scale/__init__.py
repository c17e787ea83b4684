"""Postage scales: one `Scale` class per wire protocol, chosen by the config's `protocol`."""

from frontdesk.contract.config import ScaleConfig
from frontdesk.devices.scale.driver import Scale
from frontdesk.devices.scale.errors import (
    ScaleError,
    ScaleGarbled,
    ScaleNoAnswer,
    ScaleNotStable,
    ScaleOffline,
    ScaleProtocolError,
    ScaleRefused,
)
from frontdesk.devices.scale.hid import HidScale
from frontdesk.devices.scale.mtsics import MtSicsScale
from frontdesk.devices.scale.nci import NciScale
from frontdesk.devices.scale.reading import ScaleProblem, ScaleReading

PROTOCOLS: dict[str, type[Scale]] = {"mt-sics": MtSicsScale, "nci": NciScale, "hid": HidScale}


def scale_for(config: ScaleConfig) -> Scale:
    return PROTOCOLS[config.protocol](config)


__all__ = [
    "PROTOCOLS",
    "HidScale",
    "MtSicsScale",
    "NciScale",
    "Scale",
    "ScaleError",
    "ScaleGarbled",
    "ScaleNoAnswer",
    "ScaleNotStable",
    "ScaleOffline",
    "ScaleProblem",
    "ScaleProtocolError",
    "ScaleReading",
    "ScaleRefused",
    "scale_for",
]
