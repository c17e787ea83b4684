"""What the command modules share: exit codes, the options of a device command, and how a
command reaches its device (through the agent, or itself with --direct)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

EXIT_DEVICE_PROBLEM = 1
EXIT_USAGE = 2
DEFAULT_TIMEOUT = 5.0


def add_device_command(
    group: argparse._SubParsersAction,
    common: argparse.ArgumentParser,
    name: str,
    help: str,
    handler: Callable,
    device: str,
) -> argparse.ArgumentParser:
    """A sub-command that acts on one device, chosen by --<device> ID, through the agent."""
    command = group.add_parser(name, parents=[common], help=help)
    command.add_argument(f"--{device}", metavar="ID", help=f"which {device} (default: the first configured)")
    add_agent_options(command)
    command.set_defaults(handler=handler)
    return command


def add_agent_options(command: argparse.ArgumentParser, direct: str | None = "open the device itself",
                      again: bool = False) -> None:
    """--timeout, and --direct unless `direct` is None (a command only the agent may carry out).

    `again`: a sub-command's copy of its parent's options, so they may come after it too; it has
    no defaults, which would otherwise undo the parent's value typed before it."""
    command.add_argument("--timeout", type=float, metavar="SECONDS",
                         default=argparse.SUPPRESS if again else DEFAULT_TIMEOUT,
                         help=f"how long to wait for the agent (default {DEFAULT_TIMEOUT:g})")
    if direct is not None:
        command.add_argument("--direct", action="store_true", default=argparse.SUPPRESS if again else False,
                             help=f"{direct} instead of asking the agent: for set-up and diagnosis while the agent "
                                  "is stopped (refused while it holds the device)")


def agent_for(args: argparse.Namespace, config=None):
    """The agent to ask: the running one over MQTT, or with --direct this process on the devices.

    Both answer `ask(command, payload)` with the agent's result (agent/cli/agent_client.py and
    agent/cli/direct.py), so each command prints one kind of answer whichever it was."""
    from frontdesk.contract.config import load_config

    config = config or load_config(args.config)
    if getattr(args, "direct", False):
        from frontdesk.agent.cli.direct import DirectDevices

        return DirectDevices(config, _invocation(args))
    from frontdesk.agent.cli.agent_client import AgentClient

    return AgentClient(config, args.timeout, direct_hint=hasattr(args, "direct"))


def ask(args: argparse.Namespace, command: str, payload: dict[str, Any], takes: float = 0.0,
        config=None) -> dict[str, Any]:
    """One command, one answer: connects, asks, disconnects."""
    with agent_for(args, config) as agent:
        return agent.ask(command, payload, takes)


def given(**fields: Any) -> dict[str, Any]:
    """A request without the options left out: the agent then picks its default (e.g. its first printer)."""
    return {key: value for key, value in fields.items() if value is not None}


def _invocation(args: argparse.Namespace) -> str:
    """What holds a device during --direct, as the agent's refusal names it."""
    return " ".join(["frontdesk", *(part for part in (args.command, getattr(args, "action", None)) if part),
                     "--direct"])
