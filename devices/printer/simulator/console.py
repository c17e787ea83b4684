"""The commands a person types while the simulator runs, to change the printer's state."""

from __future__ import annotations

from frontdesk.devices.simulator_console import QuitRequested

from .machine import EscPosMachine
from .server import TcpPrinterSimulator

HELP = """\
paper ok|near-end|out      paper level
cover open|closed          cover
online|offline             online switch
error none|cutter|unrecoverable|recoverable|mechanical
silent on|off              on: never answer status requests (DLE EOT, GS r)
unplug                     close every open connection now
status                     show the printer's state and the jobs so far
help                       this text
quit                       stop the simulator"""


def run_console_command(simulator: TcpPrinterSimulator, line: str) -> str:
    """Apply one typed command; returns what to print back."""
    words = line.split()
    if not words:
        return ""
    verb, argument = words[0].lower(), (words[1].lower() if len(words) > 1 else "")
    state = simulator.state
    if verb == "paper" and argument in ("ok", "near-end", "out"):
        state.paper = argument.replace("-", "_")
    elif verb == "cover" and argument in ("open", "closed"):
        state.cover_open = argument == "open"
    elif verb in ("online", "offline") and not argument:
        state.online = verb == "online"
    elif verb == "error" and argument in ("none", "cutter", "unrecoverable", "recoverable", "mechanical"):
        state.error = None if argument == "none" else argument
    elif verb == "silent" and argument in ("on", "off"):
        state.answers_status = argument == "off"
    elif verb == "unplug" and not argument:
        simulator.disconnect_clients()
        return "all connections closed"
    elif verb == "status" and not argument:
        return describe(simulator)
    elif verb == "help":
        return HELP
    elif verb == "quit":
        raise QuitRequested
    else:
        return f"not understood: {line.strip()!r} (type help)"
    return "ok: " + describe_state(simulator)


def describe_state(simulator: TcpPrinterSimulator) -> str:
    state = simulator.state.snapshot()
    return (
        f"paper {state.paper}, cover {'open' if state.cover_open else 'closed'}, "
        f"{'online' if state.online else 'offline'}, error {state.error or 'none'}, "
        f"{'answers status' if state.answers_status else 'silent'}"
        f"{'' if simulator.status_back else ', no Automatic Status Back'}"
    )


def describe(simulator: TcpPrinterSimulator) -> str:
    lines = [describe_state(simulator), f"{len(simulator.jobs)} job(s)"]
    lines += [f"  job {number}: {summary(job)}" for number, job in enumerate(list(simulator.jobs), start=1)]
    return "\n".join(lines)


def summary(job: EscPosMachine) -> str:
    return (
        f"{len(job.received)} bytes, {len(job.elements)} elements, {len(job.errors)} errors, "
        f"{len(job.overflows)} overflows, {job.dropped_bytes} bytes dropped"
    )
