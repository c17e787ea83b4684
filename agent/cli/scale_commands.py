"""`frontdesk scale read|tare|zero`."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from decimal import Decimal

from agent.cli.common import add_device_command
from contract.config import load_config

UNIT_DECIMALS = {"g": 1, "kg": 4, "oz": 2, "lb": 3}


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    group = commands.add_parser("scale", help="the postage scale").add_subparsers(dest="action", required=True)
    read = add_device_command(group, common, "read", "show the weight on the scale", _read, "scale")
    read.add_argument("--stable", action="store_true", help="wait until the scale says the weight is stable")
    read.add_argument("--watch", action="store_true", help="keep showing live readings until Ctrl-C")
    read.add_argument("--unit", choices=tuple(UNIT_DECIMALS), help="show the weight in this unit")
    read.add_argument("--json", action="store_true", help="machine-readable output, one JSON object per reading")
    add_device_command(group, common, "tare", "tare the scale (the weight on it becomes zero)", _tare, "scale")
    add_device_command(group, common, "zero", "set the empty scale to zero", _zero, "scale")


def _scale(args: argparse.Namespace):
    from devices.scale import scale_for

    return scale_for(load_config(args.config).scale_by_id(args.scale))


def _read(args: argparse.Namespace) -> int:
    scale = _scale(args)
    try:
        if args.watch:
            return _watch(scale, args)
        reading = scale.read_stable() if args.stable else scale.read()
        print(_shown(reading, args))
        return 0
    finally:
        scale.close()


def _watch(scale, args: argparse.Namespace) -> int:
    from devices.scale import ScaleProblem

    stop = threading.Event()
    live = sys.stdout.isatty() and not args.json
    try:
        for event in scale.readings(stop):
            if isinstance(event, ScaleProblem):
                text = json.dumps({"problem": event.reason, "message": event.message}) if args.json else event.message
                print(("\r\033[K" if live else "") + text, flush=True)
                continue
            print(("\r\033[K" if live else "") + _shown(event, args), end="" if live else "\n", flush=True)
    except KeyboardInterrupt:
        stop.set()
        if live:
            print()
    return 0


def _shown(reading, args: argparse.Namespace) -> str:
    if args.json:
        return json.dumps({"scale": args.scale, **reading.as_dict()} if args.scale else reading.as_dict())
    if reading.condition != "ok":
        return reading.describe()
    unit = args.unit or reading.unit
    value = reading.weight_in(unit).quantize(Decimal(1).scaleb(-UNIT_DECIMALS[unit]))
    return f"{value} {unit} " + ("stable" if reading.stable else "moving")


def _tare(args: argparse.Namespace) -> int:
    return _act(args, lambda scale: scale.tare(), "tared")


def _zero(args: argparse.Namespace) -> int:
    return _act(args, lambda scale: scale.zero(), "set to zero")


def _act(args: argparse.Namespace, action, done: str) -> int:
    scale = _scale(args)
    try:
        action(scale)
    finally:
        scale.close()
    print(f"scale {scale.id!r} {done}")
    return 0
