"""`frontdesk demo`."""

from __future__ import annotations

import argparse


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    demo = commands.add_parser("demo", parents=[common], help="run the system with simulated devices")
    demo.add_argument("--workdir", default="var/demo", help="where the demo keeps its config and printouts")
    demo.add_argument("--once", action="store_true", help="print the demo documents and exit")
    demo.set_defaults(handler=_demo)


def _demo(args: argparse.Namespace) -> int:
    from frontdesk.agent.demo import run_demo

    return run_demo(args.workdir, once=args.once)
