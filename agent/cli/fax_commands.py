"""`frontdesk fax send`: the agent submits the fax and announces its outcome on the fax queue's
events, which the CLI follows from before it sends (a busy line may fail it at once)."""

from __future__ import annotations

import argparse
import base64
from pathlib import Path

from frontdesk.agent.cli.common import EXIT_DEVICE_PROBLEM, EXIT_USAGE, add_agent_options, agent_for, given
from frontdesk.contract.config import load_config

# What fax_send's `document` may hold: 14,000,000 base64 characters (contract/commands.py).
MAX_DOCUMENT = 14_000_000 // 4 * 3
SEND_TAKES = 30.0  # seconds the upload and the CUPS submission may take on top of --timeout


def add_commands(commands: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    fax = commands.add_parser("fax", help="send faxes").add_subparsers(dest="action", required=True)
    send = fax.add_parser("send", parents=[common], help="fax a document and follow it until it is sent or fails")
    send.add_argument("file", type=Path)
    send.add_argument("--to", required=True, metavar="NUMBER", help="fax number; +country or local to office.country")
    send.add_argument("--queue", metavar="ID", help="which fax queue (default: the first)")
    send.add_argument("--cover-to", metavar="NAME", help="add a cover sheet addressed to NAME")
    send.add_argument("--note", default="", help="a note for the cover sheet")
    send.add_argument("--wait", type=float, default=120, metavar="SECONDS",
                      help="how long to follow it (default 120; 0: only submit it)")
    add_agent_options(send, direct="submit it to CUPS itself")
    send.set_defaults(handler=_fax_send)


def _fax_send(args: argparse.Namespace) -> int:
    document = _document(args.file)
    if isinstance(document, int):
        return document
    agent = agent_for(args, load_config(args.config))
    outcomes = agent.fax_outcomes()  # following the fax queues' events before the fax exists
    with agent:
        sent = agent.ask("fax_send", {"number": args.to, "document": document, "filename": _filename(args.file),
                                      **given(cover_to=args.cover_to, queue=args.queue), "note": args.note},
                         takes=SEND_TAKES)
        number = sent.get("number", args.to)
        print(f"fax job {sent.get('job')} to {number} queued on {sent.get('queue')!r}", flush=True)
        if args.wait <= 0:
            return 0
        outcome, reason = outcomes.wait(sent, args.wait)
    if outcome == "sent":
        print(f"fax to {number} sent")
        return 0
    if outcome == "pending":
        print(f"fax to {number} not sent yet after {args.wait:g} s ({reason.replace('-', ' ')}); "
              "follow it with `frontdesk queues`")
        return 0
    print(f"fax to {number} FAILED: {_words(reason)}")
    return EXIT_DEVICE_PROBLEM


def _words(reason: str) -> str:
    """The fax line's own message as it is ("Line busy"); CUPS keywords (job-stopped) in words."""
    import re

    from frontdesk.contract.reasons import reason_text

    if not re.fullmatch(r"[a-z0-9_-]+(, [a-z0-9_-]+)*", reason):
        return reason
    return " ".join(reason_text(code.replace("-", "_")) for code in reason.split(", "))


def _document(path: Path) -> str | int:
    """The file as base64; or, for a file that cannot be sent, the exit code once it is said why."""
    import sys

    try:
        content = path.read_bytes()
    except OSError as error:
        print(f"frontdesk: cannot read {path}: {error.strerror}", file=sys.stderr)
        return EXIT_USAGE
    if len(content) > MAX_DOCUMENT:
        print(f"frontdesk: {path} is {len(content) / 1e6:.1f} MB; a fax through the agent may be at most "
              f"{MAX_DOCUMENT / 1e6:.1f} MB", file=sys.stderr)
        return EXIT_USAGE
    return base64.b64encode(content).decode("ascii")


def _filename(path: Path) -> str:
    """The name the agent stores it under: what its request allows ([\\w .-], at most 80)."""
    import re

    name = re.sub(r"[^\w .-]", "_", path.name)[-80:].strip() or "document"
    return name
