"""Reading a command's JSON payload within limits that no legitimate request comes near.

What an unchecked `json.loads` does with a hostile payload, and what is done instead:
* a few thousand `[` exhaust Python's recursion ("maximum recursion depth exceeded"):
  nesting is counted on the bytes first, outside strings, and refused beyond MAX_DEPTH;
* an integer of 5,000 digits is refused by Python's int limit, and `1e999999999`
  read as an int takes minutes: numbers are refused beyond MAX_DIGITS digits or an
  exponent beyond MAX_EXPONENT;
* a payload of many megabytes is read whole: each command has a size limit, far above
  its largest valid request (see `payload_limit`), and outside strings any request
  has at most MAX_STRUCTURE bytes;
* a `\\ud800` escape makes a lone surrogate, which no UTF-8 reply or SQLite row can hold.
Each refusal is a `BadPayload` with a message a person can act on.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from itertools import accumulate
from typing import Any

MAX_DEPTH = 32  # the deepest valid request (print_receipt's items) nests 3 levels
MAX_DIGITS = 64  # a price has at most 12 digits; a job id 10
MAX_EXPONENT = 64
DEFAULT_LIMIT = 64 * 1024
# Brackets, numbers, commas: a full print_list has 2 KiB of them. A payload of millions of tiny
# values would take a Pi's memory; this also keeps counting the nesting cheap.
MAX_STRUCTURE = 64 * 1024

# Room for each field at its longest, every character escaped as a UTF-16 pair (\ud83d\ude00:
# 12 bytes) as `json.dumps` does by default; the limits are models' (agent/print_requests.py,
# FaxRequest in contract/commands.py), tested in tests/agent/test_request_limits.py.
_LIMITS = {
    "print_list": 2 * 1024 * 1024,  # 500 lines of 200 characters
    "print_receipt": 512 * 1024,  # 100 items of 200 characters
    # 14,000,000 characters of base64, plus '/' escaped as '\/' by some encoders (1 in 64).
    "fax_send": 15 * 1024 * 1024,
}
LARGEST = max(_LIMITS.values())

_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)  # an unterminated one runs to the end
_NOT_BRACKETS = bytes(set(range(256)) - set(b"[]{}"))
_STEP = [0] * 256
_STEP[ord("[")] = _STEP[ord("{")] = 1
_STEP[ord("]")] = _STEP[ord("}")] = -1
_LONG_NUMBER = re.compile(rb"\d{%d,}" % (MAX_DIGITS + 1))


class BadPayload(ValueError):
    """The payload is refused before any field is looked at; the message says why."""


def payload_limit(command: str) -> int:
    return _LIMITS.get(command, DEFAULT_LIMIT)


def json_object(payload: bytes, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The payload as a JSON object (floats as Decimal); an empty payload is `{}`."""
    if not payload:
        return {}
    if len(payload) > limit:
        raise BadPayload(f"the request is {len(payload):,} bytes; this command takes at most {limit:,}")
    _check_shape(payload)
    try:
        data = json.loads(payload.decode("utf-8"), parse_float=_decimal, parse_constant=_no_constant)
    except BadPayload:
        raise
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadPayload(f"the request is not UTF-8 JSON: {error}") from None
    except (ValueError, RecursionError) as error:  # not expected after _check_shape; still a bad request
        raise BadPayload(f"the request cannot be read: {error}") from None
    if not isinstance(data, dict):
        raise BadPayload("the request must be a JSON object")
    _refuse_surrogates(data)
    return data


def _check_shape(payload: bytes) -> None:
    skeleton = _STRING.sub(b'""', payload)  # what is left outside strings
    if len(skeleton) > MAX_STRUCTURE:
        raise BadPayload(f"the request has {len(skeleton):,} bytes outside its strings; at most "
                         f"{MAX_STRUCTURE:,} are read (a valid request keeps its bulk in strings)")
    depth = max(accumulate(map(_STEP.__getitem__, skeleton.translate(None, _NOT_BRACKETS))), default=0)
    if depth > MAX_DEPTH:
        raise BadPayload(f"the request nests {depth} levels deep; at most {MAX_DEPTH} are read")
    if number := _LONG_NUMBER.search(skeleton):
        raise BadPayload(f"the request has a number of {len(number.group()):,} digits; "
                         f"no field takes more than {MAX_DIGITS}")


def _decimal(text: str) -> Decimal:
    value = Decimal(text)  # JSON's number syntax is a subset of Decimal's
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or abs(exponent) > MAX_EXPONENT:
        raise BadPayload(f"the request has the number {text[:40]}, with an exponent beyond ±{MAX_EXPONENT}; "
                         "no field takes it")
    return value


def _no_constant(name: str) -> Any:
    raise BadPayload(f"the request has {name}, which Python writes but JSON has not; send a number or null")


def _refuse_surrogates(data: dict[str, Any]) -> None:
    pending: list[Any] = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            pending += value.keys()
            pending += value.values()
        elif isinstance(value, list):
            pending += value
        elif isinstance(value, str) and not value.isascii():
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise BadPayload("the request has a lone surrogate escape (\\ud800 to \\udfff without "
                                 "its pair), which is no character; escape the whole pair or send UTF-8") from None
