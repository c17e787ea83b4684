"""`frontdesk queues [cancel|hold|release|restart JOB | pause|resume QUEUE]` and `frontdesk fax send`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent.cli.common import EXIT_DEVICE_PROBLEM
from contract.config import FrontdeskConfig, load_config

JOB_ACTIONS = {"cancel": "cancelled", "hold": "held", "release": "released", "restart": "restarted"}
QUEUE_ACTIONS = {"pause": "paused", "resume": "resumed", "accept": "accepting jobs", "reject": "rejecting jobs"}


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    queues = commands.add_parser("queues", parents=[common], help="the copier and fax queues (CUPS)")
    queues.add_argument("--json", action="store_true", help="machine-readable output")
    queues.set_defaults(handler=_show)
    actions = queues.add_subparsers(dest="action", metavar="ACTION")
    for action in JOB_ACTIONS:
        command = actions.add_parser(action, parents=[common], help=f"{action} a job")
        command.add_argument("job", type=int, metavar="JOB")
        command.set_defaults(handler=_job_action)
    for action in QUEUE_ACTIONS:
        command = actions.add_parser(action, parents=[common], help=f"{action} a queue")
        command.add_argument("queue", metavar="QUEUE", help="the queue's id from the config")
        command.set_defaults(handler=_queue_action)

    fax = commands.add_parser("fax", help="send faxes").add_subparsers(dest="action", required=True)
    send = fax.add_parser("send", parents=[common], help="fax a document and follow it until it is sent or fails")
    send.add_argument("file", type=Path)
    send.add_argument("--to", required=True, metavar="NUMBER", help="fax number; +country or local to office.country")
    send.add_argument("--queue", metavar="ID", help="which fax queue (default: the first)")
    send.add_argument("--cover-to", metavar="NAME", help="add a cover sheet addressed to NAME")
    send.add_argument("--note", default="", help="a note for the cover sheet")
    send.add_argument("--wait", type=float, default=120, metavar="SECONDS", help="how long to follow it (default 120)")
    send.set_defaults(handler=_fax_send)


def _queues(config: FrontdeskConfig):
    from devices.queues import CupsClient, queue_for

    client = CupsClient(config.cups.server, config.cups.timeout)
    return [queue_for(queue, client) for queue in config.queue]


def _show(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    report, worst = [], "ok"
    for queue in _queues(config):
        state, jobs = queue.state(), queue.jobs()
        report.append({**state.as_dict(), "jobs": [job.as_dict() for job in jobs]})
        worst = state.health if state.health != "ok" else worst
        if not args.json:
            _print_queue(state, jobs)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    if not config.queue:
        print("no queues configured")
    return EXIT_DEVICE_PROBLEM if worst in ("error", "offline") else 0


def _print_queue(state, jobs) -> None:
    flags = "" if state.accepting else ", not accepting jobs"
    print(f"{state.kind} {state.queue_id!r} (CUPS {state.cups_name}): {state.health}, {state.state}{flags}")
    if state.problems:
        print(f"  reasons: {', '.join(state.problems)}")
    if state.message:
        print(f"  message: {state.message}")
    for supply in state.supplies:
        level = "unknown" if supply.level is None else f"{supply.level}%"
        print(f"  {supply.name}: {level}" + (" (low)" if supply.low else ""))
    for job in jobs:
        pages = f", {job.pages} pages" if job.pages else ""
        print(f"  job {job.id} {job.state}: {job.title!r} by {job.owner}{pages}")


def _job_action(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    queues = _queues(config)
    if not queues:
        print("no queues configured")
        return EXIT_DEVICE_PROBLEM
    getattr(queues[0], args.action)(args.job)
    print(f"job {args.job} {JOB_ACTIONS[args.action]}")
    return 0


def _queue_action(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    queue = next((q for q in _queues(config) if q.id == args.queue), None)
    if queue is None:
        from contract.config import ConfigError

        raise ConfigError(f"queue: no queue with id {args.queue!r}; configured: {', '.join(q.id for q in config.queue)}")
    getattr(queue, args.action)()
    print(f"queue {queue.id!r} {QUEUE_ACTIONS[args.action]}")
    return 0


def _fax_send(args: argparse.Namespace) -> int:
    from contract.config import ConfigError
    from devices.queues import CoverSheet

    config = load_config(args.config)
    faxes = [q for q in _queues(config) if q.config.kind == "fax" and (args.queue in (None, q.id))]
    if not faxes:
        raise ConfigError("queue: no fax queue configured" + (f" with id {args.queue!r}" if args.queue else ""))
    fax = faxes[0]
    cover = CoverSheet(config.office.name, args.cover_to, args.note) if args.cover_to else None
    job_id, number = fax.send_fax(args.file, args.to, region=config.office.country, cover=cover)
    print(f"fax job {job_id} to {number} queued on {fax.id!r}", flush=True)
    outcome = fax.outcome(job_id, number, timeout=args.wait)
    if outcome.outcome == "sent":
        print(f"fax to {number} sent")
        return 0
    if outcome.outcome == "pending":
        print(f"fax to {number} still {outcome.reason} after {args.wait:g} s; follow it with `frontdesk queues`")
        return 0
    print(f"fax to {number} FAILED: {outcome.reason}")
    return EXIT_DEVICE_PROBLEM
