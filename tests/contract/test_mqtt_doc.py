"""docs/mqtt.md says what the contract's models say: every topic, field, code, reason, event,
record and command, and every example payload is built through its model unchanged.

A field, code or reason added to a model and not to the page (or the other way round)
fails here, naming it. The page's conventions are in mqtt_doc.py.
"""

from __future__ import annotations

import pytest
from mqtt_doc import Named, codes, examples, field_names, inner_model, literal_values, parse_cell, sections, table

from frontdesk.contract import mqtt
from frontdesk.contract.events import EVENTS, JobFields, ReasonEvent
from frontdesk.contract.payload import build
from frontdesk.contract.reasons import ErrorCode, Reason
from frontdesk.contract.records import LEDGER_RECORDS, VISIT_RECORDS, Arrival
from frontdesk.contract.replies import error_reply, ok_reply, parse_reply
from frontdesk.contract.results import RESULTS, Quote
from frontdesk.contract.states import STATES, DeviceState, Weight, build_state

SECTIONS = sections()
# What *job*, *quote* and *weight* stand for.
EXPANSIONS = {"job": JobFields, "quote": Quote, "weight": Weight}


def documented(items: list[Named]) -> set[str]:
    names: set[str] = set()
    for item in items:
        names |= field_names(EXPANSIONS[item.name]) if item.expansion else {item.name}
    return names


def check_fields(items: list[Named], model, where: str, leave_out: set[str] = frozenset()) -> None:
    """The cell names exactly the model's fields (less `leave_out`), and what brackets hold."""
    expected = field_names(model) - leave_out
    names = documented(items)
    same(names, expected, where)
    fields = {} if not hasattr(model, "model_fields") else model.model_fields
    for item in items:
        if item.expansion or item.name not in fields:
            continue  # a RootModel's members: their fields are checked by name above
        annotation = fields[item.name].annotation
        inner, values = inner_model(annotation), literal_values(annotation)
        said = [] if item.inside is None else [named for named in item.inside if named.expansion or named.name]
        if inner == "several":  # `devices`: states of every kind, documented in their own section
            continue
        if inner is not None:
            assert said, f"{where}: say what {item.name} holds, in brackets after it"
            check_fields(list(said), inner, f"{where}.{item.name}")
        elif said:
            assert values is not None, f"{where}: {item.name} is a plain field; no `names` in brackets after it"
            assert {named.name for named in said} == values, f"{where}: {item.name} is one of {sorted(values)}"


def same(on_the_page: set, in_the_models: set, what: str) -> None:
    assert on_the_page == in_the_models, (f"{what}: docs/mqtt.md lacks {sorted(map(str, in_the_models - on_the_page))}, "
                                          f"the models lack {sorted(map(str, on_the_page - in_the_models))}")


def first_column(rows: list[list[str]]) -> list[Named]:
    return [named for row in rows for named in parse_cell(row[0])]


def test_every_topic_row_is_a_topic_of_the_contract():
    rows = SECTIONS[""].split("| topic (after")[1]
    documented_topics = set()
    for row in table("| topic (after" + rows, "| topic (after"):
        for pattern in codes(row[0]):
            documented_topics.add((pattern, {"yes": True, "no": False}[row[1]], int(row[2])))
    same(documented_topics, {(shape.pattern, shape.retained, shape.qos) for shape in mqtt.TOPICS},
         "topics (pattern, retained, QoS)")


def test_the_state_fields_common_and_of_each_kind():
    text = SECTIONS["Device state"]
    check_fields(first_column(table(text, "| field |")), DeviceState, "state")
    kinds = table(text, "| kind |")
    same({kind for row in kinds for kind in codes(row[0])}, set(STATES), "kinds")
    for row in kinds:
        for kind in codes(row[0]):
            check_fields(parse_cell(row[1]), STATES[kind], f"{kind} state", leave_out=field_names(DeviceState))


def test_every_reason_code():
    rows = table(SECTIONS["Device state"], "| reported by |")
    same({code for row in rows for code in codes(row[1])}, set(Reason), "reasons")


def test_every_error_code():
    rows = table(SECTIONS["Commands"], "| code |")
    same({code for row in rows for code in codes(row[0])}, set(ErrorCode), "error codes")


def test_every_event_and_its_fields():
    text = SECTIONS["Events"]
    rows = table(text, "| event |")
    models = {name: EVENTS.get(name, ReasonEvent if name == "<reason>" else None) for row in rows
              for name in codes(row[0])}
    same(set(models), {*EVENTS, "<reason>"}, "events")
    for row in rows:
        (name,) = codes(row[0])
        check_fields(parse_cell(row[1]), models[name], f"event {name}", leave_out={"event"})
    check_fields(first_column(table(text, "| field |")), JobFields, "*job*")


@pytest.mark.parametrize(("section", "records"), [("Ledger records (for the manager)", LEDGER_RECORDS),
                                                 ("Kiosk visit records", VISIT_RECORDS)])
def test_ledger_and_visit_records_and_their_fields(section, records):
    rows = table(SECTIONS[section], "| record |")
    same({name for row in rows for name in codes(row[0])}, set(records), section)
    for row in rows:
        (name,) = codes(row[0])
        check_fields(parse_cell(row[1]), records[name], name, leave_out={"event"})


@pytest.mark.parametrize(("section", "model"), [("Weight", Weight), ("Visitor arrivals", Arrival)])
def test_the_weight_and_the_arrival(section, model):
    check_fields(first_column(table(SECTIONS[section], "| field |")), model, section)


def test_a_quote_as_the_postage_commands_reply_with_it():
    check_fields(first_column(table(SECTIONS["Commands"], "| field |")), Quote, "*quote*")


def command_rows() -> list[tuple[str, str, str]]:
    return [(name, row[1], row[2]) for row in table(SECTIONS["Commands"], "| command |") for name in codes(row[0])]


def test_the_command_table_has_every_command_once():
    names = [name for name, _, _ in command_rows()]
    assert len(names) == len(set(names)), "a command in two rows"
    same(set(names), set(RESULTS), "commands")


@pytest.mark.parametrize(("command", "results"), [(name, result) for name, _, result in command_rows()])
def test_each_command_s_result(command, results):
    check_fields(parse_cell(results), RESULTS[command], f"{command} result")


@pytest.mark.parametrize(("command", "arguments"), [(name, arguments) for name, arguments, _ in command_rows()])
def test_each_command_s_arguments(command, arguments):
    from frontdesk.contract.commands import REQUESTS  # the lead's: what each request may carry

    model = REQUESTS[command]
    items = [] if arguments == "—" else parse_cell(arguments)
    check_fields(items, model, f"{command} arguments", leave_out={"request_id"})
    for item in items:
        required = model.model_fields[item.name].is_required()
        assert not (item.optional and required), f"{command}: {item.name} is required, not `{item.name}`?"
        assert item.optional or required or model.model_fields[item.name].default is not None, (
            f"{command}: {item.name} may be left out: write it `{item.name}`?")


def test_the_commands_of_the_requests_are_the_commands_of_the_results():
    from frontdesk.contract.commands import REQUESTS

    same(set(REQUESTS), set(RESULTS), "commands of contract/commands.py (as 'the page') and of contract/results.py")


@pytest.mark.parametrize(("info", "example"), examples(), ids=lambda value: str(value)[:40])
def test_every_example_is_built_unchanged_through_its_model(info, example):
    """`build` refuses a field the model lacks, so an example cannot show more than the contract."""
    if info.startswith("reply:"):
        reply = parse_reply(example)
        built = (ok_reply(example["result"], command=info.removeprefix("reply:")) if reply.ok
                 else error_reply(example["error"]["code"], example["error"]["message"]))
        assert reply.ok or reply.error.code in set(ErrorCode)
    elif "event" in example:
        built = build(mqtt.EVENT_MODELS.get(example["event"], ReasonEvent), **example)
    elif "device" in example:
        built = build_state(**example)
    elif "condition" in example:
        built = build(Weight, **example)
    else:
        raise AssertionError(f"an example of no known payload: {example}")
    assert built == example
