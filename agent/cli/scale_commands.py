"""`frontdesk scale read|tare|zero`: through the agent, which has the scale's port all day."""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal

from frontdesk.agent.cli.common import add_device_command, agent_for, ask, given
from frontdesk.contract.config import load_config

UNIT_DECIMALS = {"g": 1, "kg": 4, "oz": 2, "lb": 3}
STABLE_WAIT = 10.0  # seconds the agent may wait for a stable weight (its limit is 30)


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("scale", help="the postage scale").add_subparsers(dest="action", required=True)
    read = add_device_command(group, common, "read", "show the weight on the scale", _read, "scale")
    read.add_argument("--stable", action="store_true", help="wait until the scale says the weight is stable")
    read.add_argument("--watch", action="store_true", help="keep showing live readings until Ctrl-C")
    read.add_argument("--unit", choices=tuple(UNIT_DECIMALS), help="show the weight in this unit")
    read.add_argument("--json", action="store_true", help="machine-readable output, one JSON object per reading")
    add_device_command(group, common, "tare", "tare the scale (the weight on it becomes zero)", _tare, "scale")
    add_device_command(group, common, "zero", "set the empty scale to zero", _zero, "scale")


def _read(args: argparse.Namespace) -> int:
    from frontdesk.agent.cli.live import reading_from

    if args.watch:
        return _watch(args)
    wait = STABLE_WAIT if args.stable else 0.0
    result = ask(args, "scale_read", given(scale=args.scale, stable=args.stable, timeout=wait or None), takes=wait)
    print(_shown(reading_from(result), result.get("scale", args.scale), args))
    return 0


def _watch(args: argparse.Namespace) -> int:
    """Every reading until Ctrl-C: redrawn on one line on a terminal, one line each otherwise."""
    from frontdesk.devices.scale import ScaleProblem

    config = load_config(args.config)
    scale_id = args.scale or config.scale_by_id(None).id
    agent = agent_for(args, config)
    readings = agent.scale_readings(scale_id)  # subscribed before it connects
    live = sys.stdout.isatty() and not args.json
    try:
        with agent:
            for event in readings:
                if isinstance(event, ScaleProblem):
                    text = (json.dumps({"scale": scale_id, "problem": event.reason, "message": event.message})
                            if args.json else event.message)
                    print(("\r\033[K" if live else "") + text, flush=True)
                    continue
                print(("\r\033[K" if live else "") + _shown(event, scale_id, args), end="" if live else "\n",
                      flush=True)
    except KeyboardInterrupt:
        if live:
            print()
    return 0


def _shown(reading, scale_id: str | None, args: argparse.Namespace) -> str:
    if args.json:
        return json.dumps({"scale": scale_id, **reading.as_dict()} if scale_id else reading.as_dict())
    if reading.condition != "ok":
        return reading.describe()
    unit = args.unit or reading.unit
    value = reading.weight_in(unit).quantize(Decimal(1).scaleb(-UNIT_DECIMALS[unit]))
    return f"{value} {unit} " + ("stable" if reading.stable else "moving")


def _tare(args: argparse.Namespace) -> int:
    return _act(args, "scale_tare", "tared")


def _zero(args: argparse.Namespace) -> int:
    return _act(args, "scale_zero", "set to zero")


def _act(args: argparse.Namespace, command: str, done: str) -> int:
    result = ask(args, command, given(scale=args.scale), takes=10)
    print(f"scale {result.get('scale', args.scale)!r} {done}")
    return 0
