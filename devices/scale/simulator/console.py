"""The commands a person types while the simulator runs, to change what the scale senses."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from frontdesk.devices.simulator_console import QuitRequested

from .readout import UNITS, plain
from .server import ScaleSimulator

HELP = """\
weight 123.4               put 123.4 g on the platform (gross, from the factory zero)
settle 250 1.5             the load becomes 250 g and moves for 1.5 s, then rests
motion on|off              the load moves until turned off
unit g|kg|oz|lb            the unit the scale reports in
over | under | normal      force overload or underload; normal clears both
tare                       press the tare key
garbage 20                 send 20 random bytes before the next reply
half                       send only the first half of the next reply
silent on|off              on: set to another protocol, never answers
unplug | plug              pull the cable (the device path disappears) / plug it back
power off|on               off: the port stays, the scale answers nothing
status                     show the scale's state
help                       this text
quit                       stop the simulator"""


def run_console_command(simulator: ScaleSimulator, line: str) -> str:
    """Apply one typed command; returns what to print back."""
    words = line.lower().split()
    if not words:
        return ""
    verb, arguments = words[0], words[1:]
    try:
        answer = _apply(simulator, verb, arguments)
    except (ValueError, InvalidOperation):
        answer = None
    if answer is None:
        return f"not understood: {line.strip()!r} (type help)"
    return answer


def _apply(simulator: ScaleSimulator, verb: str, arguments: list[str]) -> str | None:
    """What to print, or None if the command is not understood."""
    state = simulator.state
    switch = {"on": True, "off": False}
    if verb == "weight" and len(arguments) == 1:
        state.grams = Decimal(arguments[0])
    elif verb == "settle" and len(arguments) == 2:
        state.settle(Decimal(arguments[0]), float(arguments[1]))
    elif verb in ("motion", "silent") and len(arguments) == 1 and arguments[0] in switch:
        setattr(state, verb, switch[arguments[0]])
    elif verb == "unit" and len(arguments) == 1 and arguments[0] in UNITS:
        state.display_unit = arguments[0]
    elif verb in ("over", "under", "normal") and not arguments:
        state.overload, state.underload = verb == "over", verb == "under"
    elif verb == "tare" and not arguments:
        return f"tare: {state.tare_current()}; " + describe_state(simulator)
    elif verb == "garbage" and len(arguments) == 1:
        state.garbage_before_next = int(arguments[0])
    elif verb == "half" and not arguments:
        state.half_frame_next = True
    elif verb in ("unplug", "plug") and not arguments:
        getattr(simulator, verb)()  # unplug() or plug()
        return "ok: " + describe(simulator)
    elif verb == "power" and len(arguments) == 1 and arguments[0] in switch:
        simulator.powered = switch[arguments[0]]
        return "ok: " + describe(simulator)
    elif verb in ("status", "help", "quit") and not arguments:
        return _inquiry(simulator, verb)
    else:
        return None
    return "ok: " + describe_state(simulator)


def _inquiry(simulator: ScaleSimulator, verb: str) -> str:
    if verb == "quit":
        raise QuitRequested
    return HELP if verb == "help" else describe(simulator)


def describe_state(simulator: ScaleSimulator) -> str:
    reading = simulator.state.snapshot()
    if reading.overloaded or reading.underloaded:
        load = "OVERLOAD" if reading.overloaded else "UNDERLOAD"
    else:
        load = f"net {plain(reading.net)} g"
    return (
        f"{load} (gross {plain(reading.gross)} g, tare {plain(reading.tare)} g), "
        f"{'moving' if reading.moving else 'stable'}, reports in {reading.unit}"
    )


def describe(simulator: ScaleSimulator) -> str:
    state = simulator.state
    if simulator.plugged:
        port = f"plugged in at {simulator.device_path} -> {simulator.pty_path}"
    else:
        port = f"unplugged ({simulator.device_path} is gone)"
    answering = "silent (another protocol)" if state.silent else "answering"
    faults = f"garbage before next reply: {state.garbage_before_next}, half next reply: {state.half_frame_next}"
    return "\n".join([
        describe_state(simulator),
        f"{simulator.protocol} at {simulator.baudrate} baud, {port}",
        f"power {'on' if simulator.powered else 'off'}, {answering}; {faults}",
    ])
