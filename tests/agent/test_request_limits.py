"""A command's payload is read within limits no valid request comes near (agent/request_json.py).

Each limit is an `invalid_request` saying what was too much, never an `internal_error`
(issue 14: deep nesting and 5,000-digit numbers were); and each command's largest valid
request is within its own limit.
"""

from __future__ import annotations

import json

import pytest

from frontdesk.agent.commands import Commands
from frontdesk.agent.runtime import Devices
from frontdesk.contract import mqtt as contract


@pytest.fixture
def commands(tmp_path) -> Commands:
    return Commands(Devices(), "usps", tmp_path)


def refusal(commands: Commands, name: str, payload: bytes) -> str:
    reply = commands.handle(name, payload)
    assert reply["error"]["code"] == contract.INVALID_REQUEST, reply
    return reply["error"]["message"]


@pytest.mark.parametrize("opening, closing", [("[", "]"), ('{"a":', "}")])
def test_nesting_is_read_to_32_levels_and_refused_beyond(commands, opening, closing):
    def nested(depth: int) -> bytes:
        return f'{{"request_id":"n","x":{opening * (depth - 1)}1{closing * (depth - 1)}}}'.encode()

    assert refusal(commands, "status", nested(32)) == "x: Extra inputs are not permitted"  # read, then refused by name
    assert refusal(commands, "status", nested(33)) == "the request nests 33 levels deep; at most 32 are read"
    assert "nests 100,000 levels" not in refusal(commands, "print_badge", b"[" * 100_000)  # too big first


def test_brackets_in_strings_are_text_not_nesting(commands):
    reply = commands.handle("print_list", json.dumps({"title": "[[[{{{" * 10, "lines": ["]" * 200]}).encode())
    assert reply["error"]["code"] == contract.UNKNOWN_DEVICE, reply  # it validated


@pytest.mark.parametrize("number, message", [
    ("9" * 5000, "the request has a number of 5,000 digits; no field takes more than 64"),
    ("9" * 64, "job: Input should be less than or equal to 2147483647"),
    ("1e999999999", "the request has the number 1e999999999, with an exponent beyond ±64; no field takes it"),
    ("1e-999999999", "the request has the number 1e-999999999, with an exponent beyond ±64; no field takes it"),
    ("NaN", "the request has NaN, which Python writes but JSON has not; send a number or null"),
    ("-Infinity", "the request has -Infinity, which Python writes but JSON has not; send a number or null"),
])
def test_numbers_no_field_can_hold_are_invalid_requests(commands, number, message):
    assert refusal(commands, "job_cancel", f'{{"job": {number}}}'.encode()) == message


@pytest.mark.parametrize("payload", [b'{"visitor_name": "\\ud800", "badge_number": "1"}', b'{"\\udfff": 1}'])
def test_a_lone_surrogate_escape_is_refused_before_it_reaches_a_reply_or_a_file(commands, payload):
    assert "lone surrogate" in refusal(commands, "print_badge", payload)


def test_an_escaped_pair_is_one_character(commands):
    reply = commands.handle("print_badge", b'{"visitor_name": "Ana \\ud83d\\ude00", "badge_number": "1"}')
    assert reply["error"]["code"] == contract.UNKNOWN_DEVICE, reply


def test_each_command_has_a_size_limit_and_says_it(commands):
    from frontdesk.agent.request_json import DEFAULT_LIMIT

    payload = json.dumps({"visitor_name": "x" * DEFAULT_LIMIT, "badge_number": "1"}).encode()
    assert refusal(commands, "print_badge", payload) == (
        f"the request is {len(payload):,} bytes; this command takes at most {DEFAULT_LIMIT:,}")


def test_a_payload_of_many_small_values_is_refused_before_it_is_read(commands):
    payload = b'{"lines": [' + b",".join([b"1"] * 300_000) + b"]}"
    assert "bytes outside its strings; at most 65,536 are read" in refusal(commands, "print_list", payload)


def largest(name: str) -> dict:
    """The largest request the command's model takes, of characters json.dumps escapes as pairs."""
    wide = "😀"  # json.dumps writes it as \ud83d\ude00: 12 bytes for one character
    if name == "print_list":
        return {"title": wide * 80, "lines": [wide * 200] * 500, "footer": wide * 200, "request_id": wide * 128,
                "printer": "desk", "language": "ro", "wait": 60}
    if name == "print_receipt":
        item = {"description": wide * 200, "unit_price": "9999999999.99", "quantity": "999999.999"}
        return {"items": [item] * 100, "payment_method": wide * 32, "request_id": wide * 128, "wait": 60}
    if name == "fax_send":
        import base64
        import os

        document = base64.b64encode(os.urandom(14_000_000 * 3 // 4)).decode()
        return {"number": "+" + "1" * 39, "document": document, "filename": "x" * 80, "cover_to": wide * 120,
                "note": wide * 2000, "request_id": wide * 128, "queue": "fax"}
    return {"visitor_name": wide * 120, "company": wide * 120, "host": wide * 120, "badge_number": wide * 40,
            "signout_code": wide * 200, "request_id": wide * 128, "printer": "desk", "language": "ro", "wait": 60}


@pytest.mark.parametrize("name", ["print_list", "print_receipt", "print_badge", "fax_send"])
def test_the_largest_valid_request_of_each_command_is_within_its_limit(commands, name):
    payload = json.dumps(largest(name)).encode()
    if name == "fax_send":  # some encoders write every '/' as '\/'
        payload = payload.replace(b"/", b"\\/")
    reply = commands.handle(name, payload)
    assert reply["error"]["code"] == contract.UNKNOWN_DEVICE, reply["error"]  # it validated: only no device


def test_a_fax_beyond_its_limit_is_refused(commands):
    from frontdesk.agent.request_json import payload_limit

    limit = payload_limit("fax_send")
    payload = json.dumps({"number": "+40 21 318 2400", "document": "A" * limit}).encode()
    assert refusal(commands, "fax_send", payload).endswith(f"this command takes at most {limit:,}")
