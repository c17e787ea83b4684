"""Malformed commands of every kind: one clear error reply each, never a crash.

Two generators: hypothesis (random shapes), and a seeded one that aims at what broke
before (issue 14): blank and control-character text, numbers no field holds, deep
nesting, oversized payloads. The command layer is driven directly, and a sample of
the seeded requests goes through a real broker and agent too. The agent has no
devices here, so a print request that validates ends in `unknown_device`; each of
those is then rendered for a 80 mm and a 58 mm printer, as the agent would print it.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontdesk.agent.commands import Commands
from frontdesk.agent.runtime import Devices
from frontdesk.contract import mqtt as contract

FIELDS = ["request_id", "printer", "scale", "queue", "items", "payment_method", "language", "wait", "visitor_name",
          "badge_number", "title", "lines", "footer", "weight", "mail_class", "destination", "carrier", "staff", "number", "document", "job",
          "stable", "timeout", "filename", "note", "description", "unit_price", "quantity", "company", "host",
          "signout_code"]

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
json_values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
almost_right = st.fixed_dictionaries({}, optional={field: json_values for field in FIELDS})
payloads = st.one_of(
    st.binary(max_size=120),                                       # not JSON, maybe not UTF-8
    json_values.map(lambda value: json.dumps(value).encode()),     # JSON, rarely an object
    almost_right.map(lambda value: json.dumps(value).encode()),    # objects with the right names, wrong values
)


def make_commands(tmp_path_factory) -> Commands:
    return Commands(Devices(), "usps", tmp_path_factory.mktemp("agent-data"))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["status", "print_receipt", "print_badge", "print_list", "open_drawer", "scale_read",
                             "scale_tare", "postage_quote", "mail_record", "queue_status", "job_cancel", "fax_send",
                             "queue_pause", "nope", "", "../cmd"]),
       payload=payloads)
def test_every_request_gets_exactly_one_well_formed_reply(tmp_path_factory, name, payload):
    commands = getattr(test_every_request_gets_exactly_one_well_formed_reply, "commands", None)
    if commands is None:
        commands = test_every_request_gets_exactly_one_well_formed_reply.commands = make_commands(tmp_path_factory)
    reply = commands.handle(name, payload)
    contract.encode(reply)  # it can be sent
    assert isinstance(reply["ok"], bool)
    if not reply["ok"]:
        error = reply["error"]
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and len(error["message"]) > 10
        # internal_error means a bug the request found, not a bad request.
        assert error["code"] != contract.INTERNAL_ERROR, (name, payload, error)


# -- seeded: what issue 14 found, and its neighbours ---------------------------------------------

SEED = 14  # the number; a failure names the request, so it can be replayed
REQUESTS = 3000

WHITESPACE = [" ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\u3000"]
INVISIBLE = ["\u200b", "\u200d", "\ufeff", "\u202e", "\u00ad", "\u2028"]
CONTROLS = ["\x00", "\x1b", "\x1bp\x00", "\x1dV\x00", "\x10\x04\x01", "\x7f", "\x85", "\x9b", "\x0c", "\x0b"]
LETTERS = ["Ann", "Ștefan Țăran", "Jürgen Weiß", "Łucja Żółkiewska", "Françoise", "李小龍", "Ωμέγα", "😀", "👩‍💻",
           "€ 12", "“quoted”", "…", "\ue000", "\U0010fffd", "e\u0301", "\u0301", "-", "017"]
NUMBERS = ["0", "-0", "1", "-1", "0.5", "1.999", "7", "60", "60.0001", "1e2", "1E-7", "-1e400", "1e999999999",
           "1e-999999999", "0e999999", "9" * 64, "9" * 65, "9" * 5000, "1." + "0" * 100, "NaN", "Infinity",
           "-Infinity", str(2**31), str(2**63), "12345678901.23", "1234567890.12", "0.001"]
VALID = {
    "print_receipt": {"items": [{"description": "Copies A4", "unit_price": "0.50", "quantity": 12},
                                {"description": "Registered letter", "unit_price": 9.75}], "payment_method": "card"},
    "print_badge": {"visitor_name": "Ana Pop", "badge_number": "017", "company": "Exemplu SRL", "host": "Ion",
                    "signout_code": "K7QX2M", "language": "ro"},
    "print_list": {"title": "EVACUARE 09:41", "lines": ["09:02 Ștefania Țăran", "", "09:15 Jürgen Weiß"],
                   "footer": "Pe site: 2"},
    "open_drawer": {"wait": 1},
    "postage_quote": {"weight": "85g", "mail_class": "large_letter", "carrier": "deutschepost"},
    "mail_record": {"weight": "85g", "mail_class": "large_letter", "carrier": "deutschepost", "staff": "Ana"},
    "scale_read": {"stable": True, "timeout": 1},
    "fax_send": {"number": "+40 21 318 2400", "document": "aGVsbG8=", "filename": "a.pdf", "note": "x"},
    "job_cancel": {"job": 7},
    "queue_status": {},
    "status": {},
}


class Raw(str):
    """A JSON token written as it is: numbers json.dumps cannot write, NaN, escapes."""


def dump(value, ascii_only: bool) -> str:
    if isinstance(value, Raw):
        return value
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=ascii_only)}:{dump(v, ascii_only)}"
                              for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dump(v, ascii_only) for v in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


def some_text(rng) -> str:
    roll = rng.random()
    if roll < 0.2:  # blank: nothing that would print
        return "".join(rng.choices(WHITESPACE + INVISIBLE, k=rng.randint(0, 6)))
    if roll < 0.35:
        parts = [*rng.choices(LETTERS, k=2), rng.choice(CONTROLS)]
        rng.shuffle(parts)
        return " ".join(parts)
    if roll < 0.45:
        return "x" * rng.choice([39, 40, 41, 79, 80, 81, 119, 120, 121, 199, 200, 201])
    if roll < 0.55:  # anything, lone surrogates included
        return "".join(chr(rng.randint(0, 0x10FFFF)) for _ in range(rng.randint(1, 12)))
    return printable_text(rng)


def printable_text(rng) -> str:
    """Text a print request takes: letters of many scripts, odd spacing, invisible characters."""
    return "".join([rng.choice(LETTERS), *rng.choices(LETTERS + WHITESPACE + INVISIBLE, k=rng.randint(0, 7))])


def some_value(rng, depth: int = 0):
    roll = rng.random()
    if depth > 3 or roll < 0.6:
        return rng.choice([None, True, False, "", Raw(rng.choice(NUMBERS)), some_text(rng), some_text(rng)])
    if roll < 0.8:
        return [some_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    return {rng.choice(FIELDS + ["", "\x1b", "é"]): some_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def nested(rng):
    depth = rng.choice([3, 31, 32, 33, 40, 1000, 30000])
    return Raw("[" * depth + "]" * depth) if rng.random() < 0.5 else Raw('{"a":' * depth + "1" + "}" * depth)


def mutated(rng, request: dict) -> dict:
    request = json.loads(json.dumps(request))
    for _ in range(rng.randint(1, 3)):
        target = request
        if "items" in request and isinstance(request["items"], list) and request["items"] and rng.random() < 0.5:
            target = request["items"][0] if isinstance(request["items"][0], dict) else request
        field = rng.choice([*target, *rng.choices(FIELDS, k=1)]) if target else rng.choice(FIELDS)
        roll = rng.random()
        if roll < 0.45:
            target[field] = some_text(rng)
        elif roll < 0.65:
            target[field] = Raw(rng.choice(NUMBERS))
        elif roll < 0.75:
            target[field] = nested(rng)
        elif roll < 0.85:
            target.pop(field, None)
        elif field == "lines" or roll < 0.9:
            target["lines"] = [some_text(rng) for _ in range(rng.randint(0, 5))]
        else:
            target[field] = some_value(rng)
    return request


def seeded_requests(seed: int, count: int):
    """(command, payload) pairs; the same ones for the same seed."""
    import random

    from frontdesk.agent.request_json import payload_limit

    rng = random.Random(seed)
    names = [*VALID, "scale_tare", "job_hold", "queue_pause", "nope"]
    prints = ["print_receipt", "print_badge", "print_list"]
    for _ in range(count):
        name, roll = rng.choice(prints if rng.random() < 0.4 else names), rng.random()
        if name in prints and roll < 0.15:  # valid, but for its text
            request = json.loads(json.dumps(VALID[name]))
            for target in [request, *request.get("items", [])]:
                for field in target:
                    if isinstance(target[field], str) and field != "language" and rng.random() < 0.7:
                        target[field] = printable_text(rng)
            payload = dump(request, ascii_only=rng.random() < 0.5).encode()
        elif roll < 0.55:
            payload = dump(mutated(rng, VALID.get(name, {})), ascii_only=rng.random() < 0.5).encode("utf-8", "surrogatepass")
        elif roll < 0.65:
            payload = dump(VALID.get(name, {}), ascii_only=rng.random() < 0.5).encode()
        elif roll < 0.75:
            payload = dump(some_value(rng), ascii_only=True).encode()
        elif roll < 0.82:
            payload = dump({**VALID.get(name, {}), rng.choice(FIELDS): nested(rng)}, ascii_only=True).encode()
        elif roll < 0.88 and name != "fax_send":  # a fax too big is made once, in its own test
            room = payload_limit(name) - len(b'{"note":""}')
            payload = json.dumps({"note": "x" * (room + rng.randint(-2, 50))}).encode()
        elif roll < 0.94:
            valid = dump(VALID.get(name, {}), ascii_only=False).encode()
            payload = valid[:rng.randint(0, len(valid))] + rng.randbytes(rng.randint(0, 8))
        else:
            payload = rng.choice([b"null", b"[]", b'"text"', b"12", b"\xff\xfe{}", b"{\"a\":\"\\ud800\"}",
                                  b'{"\\udfff":1}', b"{" + b" " * 100 + b"}"])
        yield name, payload


@pytest.fixture(scope="module")
def printers():
    from frontdesk.devices.printer import ReceiptPrinter
    from testbed import printer_config

    return [ReceiptPrinter(config.printer[0], config.office)
            for config in (printer_config("network", "TM-T20II", host="x"), printer_config("network", "POS-5890", host="x"))]


def render_accepted(name: str, payload: bytes, printers) -> None:
    """As the agent prints a stored job: validated, stored as JSON, made a document, rendered."""
    from frontdesk.agent.print_requests import badge_from, listing_from, receipt_from, stored
    from frontdesk.contract.commands import BadgeRequest, ListRequest, ReceiptRequest
    from frontdesk.agent.request_json import json_object, payload_limit
    from frontdesk.contract import clock

    model, document = {
        "print_receipt": (ReceiptRequest, lambda kept: receipt_from(kept, "R-2026-0001")),
        "print_badge": (BadgeRequest, badge_from),
        "print_list": (ListRequest, listing_from),
    }[name]
    request = model.model_validate(json_object(payload, payload_limit(name)))
    kept = json.loads(json.dumps(stored(request, clock.now())))
    for printer in printers:
        assert printer.render(document(kept)), (name, payload)


def check_reply(name: str, payload: bytes, reply: dict, printers) -> str:
    """The reply is well formed and no internal_error; an accepted print renders. Returns its code."""
    contract.encode(reply)  # it can be sent
    if reply["ok"]:
        return "ok"
    error = reply["error"]
    assert isinstance(error["message"], str) and len(error["message"]) > 10, (name, payload, error)
    assert error["code"] != contract.INTERNAL_ERROR, (name, payload[:300], error)
    if error["code"] == contract.UNKNOWN_DEVICE and name in ("print_receipt", "print_badge", "print_list"):
        render_accepted(name, payload, printers)
        return "rendered"
    return error["code"]


def test_seeded_requests_get_a_clear_reply_and_accepted_prints_render(tmp_path_factory, printers):
    from collections import Counter

    commands = make_commands(tmp_path_factory)
    outcomes = Counter(check_reply(name, payload, commands.handle(name, payload), printers)
                       for name, payload in seeded_requests(SEED, REQUESTS))
    # The generator reaches both sides: many refused, and enough accepted print jobs to mean something.
    assert outcomes["rendered"] > 150 and outcomes[contract.INVALID_REQUEST] > 1500, outcomes


# -- through a real broker and agent -------------------------------------------------------------

MQTT_REQUESTS = 300


def test_a_sample_through_the_broker_and_what_the_broker_keeps_from_the_agent(tmp_path, broker, printers):
    import uuid

    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    from frontdesk.agent.mqtt_link import MAX_PACKET
    from frontdesk.agent.request_json import payload_limit
    from frontdesk.contract.config import parse_config
    from testbed import OFFICE_TOML, Recorder, RunningAgent

    config = parse_config(OFFICE_TOML + f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
                          f'[agent]\ndata_dir = "{tmp_path / "data"}"\n')
    availability = contract.agent_availability("test", "main")
    recorder = Recorder(broker, availability)
    try:
        with RunningAgent(config):
            recorder.wait_for(lambda t, p, r: t == availability and p == b"online", 15, "the agent online")
            # All sent at once, not one round trip each: MQTT keeps them in order, and so do the replies.
            sent = {}
            for name, payload in seeded_requests(SEED + 1, MQTT_REQUESTS):
                properties = Properties(PacketTypes.PUBLISH)
                properties.ResponseTopic, properties.CorrelationData = recorder.inbox, uuid.uuid4().bytes
                recorder.client.publish(f"{recorder.prefix}/cmd/{name}", payload, qos=1, properties=properties)
                sent[properties.CorrelationData] = name, payload
            recorder.wait_until(lambda: sent.keys() <= recorder.replies.keys(), 60, "a reply to every request")
            for correlation, (name, payload) in sent.items():
                check_reply(name, payload, recorder.replies[correlation], printers)
            # Just beyond the largest command: the agent reads no further and says why.
            too_big = recorder.command("fax_send", b" " * (payload_limit("fax_send") + 1))
            assert too_big["error"]["code"] == contract.INVALID_REQUEST and "at most" in too_big["error"]["message"]
            # Beyond what the agent told the broker it takes: the broker drops it, it never reaches the Pi.
            properties = Properties(PacketTypes.PUBLISH)
            properties.ResponseTopic, properties.CorrelationData = recorder.inbox, b"beyond the packet limit"
            recorder.publish(f"{recorder.prefix}/cmd/fax_send", b" " * MAX_PACKET, properties=properties)
            assert recorder.command("status", {})["ok"]  # the sentinel: commands are answered in order
            assert b"beyond the packet limit" not in recorder.replies
    finally:
        recorder.close()
