"""The configured devices as Home Assistant devices: name, manufacturer and model where known."""

from __future__ import annotations

from frontdesk.agent.discovery.entities import HaDevice
from frontdesk.contract.config import FrontdeskConfig
from frontdesk.contract.printer_profiles import profile_maker

SCALE_MODELS = {"mt-sics": "MT-SICS scale", "nci": "NCI scale", "hid": "USB HID postal scale"}


def configured_devices(config: FrontdeskConfig) -> list[HaDevice]:
    devices = []
    for printer in config.printer:
        vendor, model = profile_maker(printer.profile)
        devices.append(HaDevice(printer.id, "printer", printer.name, vendor, model or "ESC/POS receipt printer"))
    for scale in config.scale:
        devices.append(HaDevice(scale.id, "scale", scale.name, None, SCALE_MODELS.get(scale.protocol)))
    for queue in config.queue:
        # The CUPS queue's make-and-model is not in its state (yet): the queue is what is known.
        devices.append(HaDevice(queue.id, queue.kind, queue.name, None, f"CUPS {queue.kind} queue {queue.cups_name}"))
    return devices
