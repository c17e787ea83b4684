"""Turn pydantic's validation errors into one line per mistake, naming the key.

A person editing /etc/frontdesk/frontdesk.toml needs `printer[0].host: required
for a network printer`, not a nested traceback with internal union tags in it.
"""

from __future__ import annotations

import difflib
import sys
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails


class ConfigError(Exception):
    """The configuration is wrong. Each argument is one self-contained line."""

    def __init__(self, *problems: str) -> None:
        super().__init__(*problems)
        self.problems: tuple[str, ...] = problems

    def __str__(self) -> str:
        return "\n".join(self.problems)

    def tell(self, program: str) -> int:
        """One line per problem on stderr, as every Frontdesk command reports them; returns exit status 2."""
        for problem in self.problems:
            print(f"{program}: {problem}", file=sys.stderr)
        return 2


_KINDS = {
    "int": "a whole number",
    "float": "a number",
    "decimal": "a number",
    "bool": "true or false",
    "string": "a quoted string",
    "list": "a list",
    "dict": "a table",
    "model": "a table",
}


def describe_validation_error(error: ValidationError, root: type[BaseModel]) -> list[str]:
    return [_describe(entry, root) for entry in error.errors(include_url=False)]


def _describe(entry: ErrorDetails, root: type[BaseModel]) -> str:
    key, parent = _key_path(entry["loc"], root)
    kind = entry["type"]
    given = entry.get("input")
    ctx = entry.get("ctx") or {}
    if kind == "missing":
        return f"{key}: required{_for_what(parent)}; add `{key.rsplit('.', 1)[-1]} = ...`"
    if kind == "extra_forbidden":
        return f"{key}: unknown key{_suggestion(key, parent)}"
    if kind == "union_tag_invalid":
        return (
            f"{key}.{_strip(ctx['discriminator'])}: {ctx['tag']!r} is not known; "
            f"use one of {ctx['expected_tags']}"
        )
    if kind == "union_tag_not_found":
        name = _strip(ctx["discriminator"])
        return f"{key}.{name}: required; say which kind it is, e.g. {_EXAMPLES.get(name, name)}"
    if kind == "literal_error":
        return f"{key}: {given!r} is not allowed; use one of {ctx['expected']}"
    if kind == "string_pattern_mismatch" and key.endswith(("id", "site")):
        return (
            f"{key}: {given!r} is not a valid id; use lowercase letters, digits, '-' and '_' "
            "(it becomes part of MQTT topics)"
        )
    base = kind.split("_")[0]
    if kind.endswith(("_type", "_parsing")) and base in _KINDS:
        return f"{key}: expected {_KINDS[base]}, got {given!r}"
    message = entry["msg"].removeprefix("Value error, ")
    message = f"{message[0].lower()}{message[1:]}"
    if kind != "value_error" and isinstance(given, (int, float, str)):
        message += f", got {given!r}"
    return f"{key}: {message}"


def _strip(quoted: str) -> str:
    return quoted.strip("'\"")


# Fields whose value picks the model in a discriminated union, and what the model is.
_DISCRIMINATORS = {"connection": "printer", "protocol": "scale"}
_EXAMPLES = {"connection": 'connection = "network"', "protocol": 'protocol = "mt-sics"'}


def _for_what(model: type[BaseModel] | None) -> str:
    for name, kind in _DISCRIMINATORS.items():
        field = model.model_fields.get(name) if model else None
        if field is not None:
            (value,) = typing.get_args(field.annotation)
            return f" for a {value} {kind}"
    return ""


def _suggestion(key: str, model: type[BaseModel] | None) -> str:
    if model is None:
        return ""
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(key.rsplit(".", 1)[-1], allowed, n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; allowed here: {', '.join(allowed)}"


def _key_path(loc: tuple, root: type[BaseModel]) -> tuple[str, type[BaseModel] | None]:
    """`printer[0].host`, and the model the last key belongs to.

    Walks the model's annotations alongside pydantic's location so that the
    tag pydantic inserts for a discriminated union (`network`) is dropped.
    """
    path = ""
    annotation: Any = root
    parent: type[BaseModel] | None = None
    for item in loc:
        annotation = _unwrap(annotation)
        if isinstance(item, int):
            path += f"[{item}]"
            args = typing.get_args(annotation)
            annotation = args[0] if args else Any
            continue
        member = _union_member(annotation, item)
        if member is not None:
            annotation = member
            continue
        path += f".{item}" if path else str(item)
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            parent = annotation
            field = annotation.model_fields.get(item)
            annotation = field.annotation if field else Any
        else:
            parent, annotation = None, Any
    return path or "config", parent


def _unwrap(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    if _is_union(annotation):
        members = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(members) == 1:
            return _unwrap(members[0])
    return annotation


def _is_union(annotation: Any) -> bool:
    return typing.get_origin(annotation) in (typing.Union, types.UnionType)


def _union_member(annotation: Any, tag: str) -> type[BaseModel] | None:
    if not _is_union(annotation):
        return None
    for member in typing.get_args(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            for name in _DISCRIMINATORS:
                field = member.model_fields.get(name)
                if field is not None and tag in typing.get_args(field.annotation):
                    return member
    return None
