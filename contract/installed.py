"""What this machine has installed: a program whose extra is missing says so in one line.

A Pi installs `frontdesk[pi]` and the manager's machine `frontdesk[manager]`, yet every
machine gets all four commands (a wheel's scripts do not depend on its extras). Run on the
wrong machine, `frontdesk-manager` would end in a traceback about `sqlalchemy`; it says
instead which install it needs, and exits 2 so that systemd does not restart it in a loop.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Literal

Extra = Literal["pi", "manager"]
EXIT_NOT_INSTALLED = 2


def needs_extra(program: str, extra: Extra) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Decorate a program's main(): a third-party package missing at run time is one line."""

    def decorate(main: Callable[..., int]) -> Callable[..., int]:
        @functools.wraps(main)
        def checked(*args, **kwargs) -> int:
            try:
                return main(*args, **kwargs)
            except ModuleNotFoundError as error:
                if not error.name or error.name.partition(".")[0] == "frontdesk":
                    raise  # a module of our own missing is a broken install or a bug: keep the trace
                print(f"{program}: {not_installed(error.name, extra)}", file=sys.stderr)
                return EXIT_NOT_INSTALLED
        return checked

    return decorate


def not_installed(module: str, extra: Extra) -> str:
    machine = {"pi": "the Pi's (agent, CLI, kiosk)", "manager": "the office manager's"}[extra]
    return (f"the Python package {module!r} is not installed: this machine has not got {machine} part of Frontdesk; "
            f"install it with systemd/install-{extra}, or `pip install 'frontdesk[{extra}]'`")
