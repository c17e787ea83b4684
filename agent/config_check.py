"""What the agent's config refers to, checked before anything relies on it.

The TOML validation sees each value alone: `[postage] carrier = "uspss"` is a fine string,
and two devices on one serial port are two fine sections. Each would fail only later (the
first quote, a port that "another program" has open). `frontdesk config check` and the
agent's start both ask `cross_reference_problems`: one line per problem, naming the key and
what there is to choose from, told like every other ConfigError (exit 2).
"""

from __future__ import annotations

from frontdesk.contract.config import FrontdeskConfig


def cross_reference_problems(config: FrontdeskConfig) -> list[str]:
    return [*_postage(config), *_shared_device_files(config)]


def _postage(config: FrontdeskConfig) -> list[str]:
    from frontdesk.agent.postage import load_rate_tables
    from frontdesk.agent.postage.errors import RateTableError

    try:
        carriers = sorted(load_rate_tables())
    except RateTableError as error:  # a shipped table is broken: every quote would fail
        return [f"postage.carrier: the rate tables cannot be read: {error}"]
    if config.postage.carrier in carriers:
        return []
    return [f"postage.carrier: no rate table for carrier {config.postage.carrier!r}; "
            f"there are tables for {', '.join(carriers)}"]


def _shared_device_files(config: FrontdeskConfig) -> list[str]:
    """Two devices on one serial port or device file would each read the other's answers."""
    seen: dict[str, str] = {}
    problems = []
    devices: list[tuple[str, object]] = [(f"printer[{i}]", p) for i, p in enumerate(config.printer)]
    devices += [(f"scale[{i}]", s) for i, s in enumerate(config.scale)]
    for where, device in devices:
        path = getattr(device, "device", None)
        if path is None:
            continue  # network and USB printers have no device file
        if str(path) in seen:
            problems.append(f"{where}.device: {path} is also {seen[str(path)]}'s device; "
                            "two devices cannot share one port")
        else:
            seen[str(path)] = where
    return problems
