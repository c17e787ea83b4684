"""Reading docs/mqtt.md's tables and examples, for test_mqtt_doc.py.

The page's tables follow a few conventions, so that a test can compare them with the models:

* a field is a `backticked` name; `name`? marks an argument that may be left out;
* brackets right after a field hold what is inside it: its sub-fields when it is (a list
  of) a model, its values when it is one of a few (`ok`/`out`); other brackets are prose;
* *job*, *quote* and *weight* stand for all the fields of a print job, a quote, a reading;
* examples are ```json blocks; one that is a command reply says which (```json reply:scale_read).
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, RootModel

DOC = Path(__file__).resolve().parents[2] / "docs" / "mqtt.md"


def sections() -> dict[str, str]:
    """The page's `## ` sections by title (the text before the first one under "")."""
    found, title, lines = {}, "", []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            found[title] = "\n".join(lines)
            title, lines = line[3:].strip(), []
        else:
            lines.append(line)
    found[title] = "\n".join(lines)
    return found


def tables(text: str) -> list[list[list[str]]]:
    """Every table in `text`: its rows (without the header and the |---| line) as cells."""
    found: list[list[list[str]]] = []
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if len(block) > 2:
            found.append([[cell.strip() for cell in row.strip().strip("|").split("|")] for row in block[2:]])
        block = []
    return found


def table(text: str, header_start: str) -> list[list[str]]:
    """The one table whose header begins with `header_start` (e.g. "| kind |")."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith(header_start)]
    assert len(starts) == 1, f"expected one table starting {header_start!r}, found {len(starts)}"
    return tables("\n".join(lines[starts[0]:]))[0]


def examples() -> list[tuple[str, dict]]:
    """(info string, the JSON) of every ```json block."""
    text = DOC.read_text(encoding="utf-8")
    return [(info.strip(), json.loads(body)) for info, body in re.findall(r"```json([^\n]*)\n(.*?)\n```", text, re.S)]


@dataclass(frozen=True)
class Named:
    """A field (or code) as a cell names it."""

    name: str
    optional: bool = False  # marked with ?
    inside: tuple[Named, ...] | None = None  # what the brackets after it name; None: no brackets
    expansion: bool = False  # *job*: a stand-in for many fields


def codes(cell: str) -> list[str]:
    """Every backticked word of a cell, brackets and all."""
    return re.findall(r"`([^`]+)`", cell)


def parse_cell(cell: str) -> list[Named]:
    items, i = [], 0
    while i < len(cell):
        if cell[i] == "`":
            end = cell.index("`", i + 1)
            name, i = cell[i + 1:end], end + 1
            optional = cell.startswith("?", i)
            i += optional
            after = i + (len(cell[i:]) - len(cell[i:].lstrip(" ")))
            inside = None
            if cell.startswith("(", after):
                close = _closing(cell, after)
                inside, i = tuple(parse_cell(cell[after + 1:close])), close + 1
            items.append(Named(name, optional, inside))
        elif match := re.match(r"\*(\w+)\*", cell[i:]):
            items.append(Named(match.group(1), expansion=True))
            i += match.end()
        elif cell[i] == "(":  # prose
            i = _closing(cell, i) + 1
        else:
            i += 1
    return items


def _closing(cell: str, start: int) -> int:
    depth, i = 0, start
    while i < len(cell):
        if cell[i] == "`":
            i = cell.index("`", i + 1)
        elif cell[i] == "(":
            depth += 1
        elif cell[i] == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise AssertionError(f"unbalanced brackets in {cell!r}")


# --- what the models say -----------------------------------------------------------------


def field_names(model: type[BaseModel]) -> set[str]:
    """A model's fields; for a RootModel of a union, every member's."""
    if issubclass(model, RootModel):
        return set().union(*(field_names(member) for member in _models(model.model_fields["root"].annotation)))
    return set(model.model_fields)


def _models(annotation) -> list[type[BaseModel]]:
    """The models a field's type holds (in a list, a dict's values, an Optional, a union)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return []
    args = typing.get_args(annotation)
    if origin is dict:
        args = args[1:]
    elif origin is typing.Annotated:
        args = args[:1]
    found: list[type[BaseModel]] = []
    for arg in args:
        found += [model for model in _models(arg) if model not in found]
    return found


def inner_model(annotation) -> type[BaseModel] | None | str:
    """The one model inside a field's type; None if none; "several" for a union of models."""
    models = _models(annotation)
    return None if not models else models[0] if len(models) == 1 else "several"


def literal_values(annotation) -> set[str] | None:
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return {str(value) for value in typing.get_args(annotation)}
    if origin in (typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation)[: 1 if origin is typing.Annotated else None]:
            if (values := literal_values(arg)) is not None:
                return values
    return None
