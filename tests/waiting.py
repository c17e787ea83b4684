"""Waiting for what tests wait for: `wait_until`, the one waiting loop of the tests."""

from __future__ import annotations

import time


def describe(predicate) -> str:
    """The source of a predicate (usually a lambda), for a message that says what was waited for."""
    import inspect

    try:
        source = inspect.getsource(predicate).strip()
    except (OSError, TypeError):
        return repr(predicate)
    return source if len(source) <= 300 else source[:300] + " ..."


def wait_until(predicate, timeout: float = 30, what: str | None = None, *, last=None, condition=None,
               interval: float = 0.05):
    """predicate()'s first true value; an AssertionError naming `what` (the predicate's source by
    default) and, when `last` is given, `last()` (what was seen last) if none comes within `timeout`.

    The one waiting loop of the tests. With `condition`, a threading.Condition that whoever changes
    what predicate looks at notifies (a Recorder, a RunningDemo, ...), it blocks on it and runs
    predicate while holding it; without, predicate is polled every `interval` seconds (for what
    nobody notifies: a file, a database, a web page, another process). The timeout only stops a
    hung test: it measures nothing, and no test may pass because it ran out.
    """
    if condition is not None:
        with condition:
            value = condition.wait_for(predicate, timeout)
            if value:
                return value
            seen = last() if last is not None else None
    else:
        deadline = time.monotonic() + timeout
        while not (value := predicate()):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            time.sleep(min(interval, left))
        else:
            return value
        seen = last() if last is not None else None
    message = f"waited {timeout:g} s for {what or describe(predicate)}"
    raise AssertionError(message + (f"; last seen: {seen!r}" if last is not None else ""))
