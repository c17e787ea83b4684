"""`frontdesk queues [cancel|hold|release|restart JOB | pause|resume|accept|reject QUEUE]`.

The agent follows the CUPS queues (its ippget subscription); the CLI asks it.
"""

from __future__ import annotations

import argparse
import json
import sys

from frontdesk.agent.cli.agent_client import AgentRefused
from frontdesk.agent.cli.common import EXIT_DEVICE_PROBLEM, add_agent_options, agent_for, ask, given
from frontdesk.contract.config import load_config
from frontdesk.contract.reasons import reason_text

JOB_ACTIONS = {"cancel": "cancelled", "hold": "held", "release": "released", "restart": "restarted"}
QUEUE_ACTIONS = {"pause": "paused", "resume": "resumed", "accept": "accepting jobs", "reject": "rejecting jobs"}
QUEUE_KINDS = ("copier", "fax")


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    queues = commands.add_parser("queues", parents=[common], help="the copier and fax queues (CUPS)")
    queues.add_argument("--json", action="store_true", help="machine-readable output")
    add_agent_options(queues, direct="ask CUPS itself")
    queues.set_defaults(handler=_show)
    actions = queues.add_subparsers(dest="action", metavar="ACTION")
    for action in JOB_ACTIONS:
        command = actions.add_parser(action, parents=[common], help=f"{action} a job")
        command.add_argument("job", type=int, metavar="JOB")
        command.add_argument("--queue", metavar="ID", help="the job's queue (default: the first)")
        add_agent_options(command, direct="ask CUPS itself", again=True)
        command.set_defaults(handler=_job_action)
    for action in QUEUE_ACTIONS:
        command = actions.add_parser(action, parents=[common], help=f"{action} a queue")
        command.add_argument("queue", metavar="QUEUE", help="the queue's id from the config")
        add_agent_options(command, direct="ask CUPS itself", again=True)
        command.set_defaults(handler=_queue_action)


def _show(args: argparse.Namespace) -> int:
    """Every copier and fax queue the agent has, in its order; exit 1 if one needs a person."""
    report, worst = [], "ok"
    with agent_for(args, load_config(args.config)) as agent:
        devices = agent.ask("status", {}).get("devices", {})
        queues = [device for device, state in devices.items() if state.get("kind") in QUEUE_KINDS]
        for queue in queues:
            try:
                state = agent.ask("queue_status", {"queue": queue}, takes=10)
            except AgentRefused as refused:  # one queue's trouble (CUPS away) must not hide the others
                print(f"frontdesk: {devices[queue]['kind']} {queue!r}: {refused}", file=sys.stderr)
                report.append({"queue": queue, "error": {"code": refused.code, "message": str(refused)}})
                worst = "offline"
                continue
            report.append(state)
            worst = state.get("health") if state.get("health") in ("error", "offline") else worst
            if not args.json:
                _print_queue(state)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    elif not queues:
        print("no queues configured")
    return EXIT_DEVICE_PROBLEM if worst in ("error", "offline") else 0


def _print_queue(state: dict) -> None:
    flags = "" if state.get("accepting", True) else ", not accepting jobs"
    print(f"{state['kind']} {state['queue']!r} (CUPS {state.get('cups_name')}): {state['health']}, "
          f"{state.get('state')}{flags}")
    for reason in state.get("reasons", []):
        print(f"  {_reason_words(reason)}")
    if state.get("message"):
        print(f"  message: {state['message']}")
    for supply in state.get("supplies", []):
        level = "unknown" if supply.get("level") is None else f"{supply['level']}%"
        low = supply.get("level") is not None and supply.get("low_level") is not None \
            and supply["level"] <= supply["low_level"]
        print(f"  {supply['name']}: {level}" + (" (low)" if low else ""))
    for job in state.get("jobs", []):
        pages = f", {job['pages']} pages" if job.get("pages") else ""
        print(f"  job {job['id']} {job['state']}: {job.get('title')!r} by {job.get('owner')}{pages}")


def _reason_words(code: str) -> str:
    """A reason in words; a supply's own (`toner_low:Black Toner`) names the supply."""
    kind, _, supply = code.partition(":")
    return f"{reason_text(kind)} ({supply})" if supply else reason_text(code)


def _job_action(args: argparse.Namespace) -> int:
    result = ask(args, f"job_{args.action}", given(job=args.job, queue=args.queue), takes=10)
    print(f"job {result.get('job', args.job)} {JOB_ACTIONS[args.action]}")
    return 0


def _queue_action(args: argparse.Namespace) -> int:
    result = ask(args, f"queue_{args.action}", {"queue": args.queue}, takes=10)
    print(f"queue {result.get('queue', args.queue)!r} {QUEUE_ACTIONS[args.action]}")
    return 0
