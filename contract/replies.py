"""The reply to a command: `{"ok": true, "result": {...}}` or `{"ok": false, "error": {"code", "message"}}`.

Every request gets exactly one (docs/mqtt.md, "Commands"). The result's shape is the
command's model in contract/results.py; error codes are contract/reasons.py's ErrorCode
(a newer agent may send one this version does not know: it is taken, as a code).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, RootModel, Tag, TypeAdapter

from frontdesk.contract.payload import Code, Payload, PayloadError, build, parse
from frontdesk.contract.reasons import ErrorCode
from frontdesk.contract.results import RESULTS

__all__ = ["ErrorDetail", "ErrorReply", "OkReply", "Reply", "error_reply", "ok_reply", "parse_reply",
           "parse_result"]

log = logging.getLogger("frontdesk.contract")


class OkReply(Payload):
    ok: Literal[True]
    result: dict[str, Any]


class ErrorDetail(Payload):
    code: Code
    message: str  # for a person: what went wrong and, where it helps, what to do


class ErrorReply(Payload):
    ok: Literal[False]
    error: ErrorDetail


Reply = Annotated[Annotated[OkReply, Tag("ok")] | Annotated[ErrorReply, Tag("error")],
                  Discriminator(lambda value: "ok" if (value.get("ok") if isinstance(value, dict)
                                                       else getattr(value, "ok", None)) is True else "error")]
_REPLY: TypeAdapter[Any] = TypeAdapter(Reply)


def ok_reply(result: dict[str, Any] | BaseModel, command: str | None = None) -> dict[str, Any]:
    """With `command`, the result is built through that command's model (RESULTS). One the
    model refuses (a field it does not have, a wrong value) is a bug of the agent's: the reply
    is then internal_error naming the field, and it is logged. Never raises then, as a reply
    must go out whatever happened (and it is often sent from a thread nobody watches)."""
    if isinstance(result, BaseModel):
        result = result.model_dump(mode="json", exclude_unset=True)
    if command is not None:
        try:
            result = _result(command, result)
        except PayloadError as error:
            log.error("the result of %s breaks the contract: %s", command, error)
            return error_reply(ErrorCode.INTERNAL_ERROR, f"the agent's result of {command} breaks the contract "
                                                         f"({error}): a bug of the agent, its log says more")
    return build(OkReply, ok=True, result=result)


def _result(command: str, result: dict[str, Any]) -> dict[str, Any]:
    model = RESULTS.get(command)
    if model is None:
        raise PayloadError(f"no result model for the command {command!r} (add it to contract/results.py)")
    if issubclass(model, RootModel):  # postage_quote: one of two shapes
        built = parse(model, result).root
        return build(type(built), **result)
    return build(model, **result)


def error_reply(code: str, message: str) -> dict[str, Any]:
    """Never raises: a reply must go out whatever happened, so a code that is not one is
    replaced by internal_error (and logged: it is a bug)."""
    try:
        return build(ErrorReply, ok=False, error={"code": code, "message": message})
    except PayloadError as error:
        log.error("an error reply with the code %r is not in the contract (%s)", code, error)
        return {"ok": False, "error": {"code": ErrorCode.INTERNAL_ERROR, "message": str(message)}}


def parse_reply(payload: Any) -> OkReply | ErrorReply:
    return parse(_REPLY, payload)


def parse_result(command: str, reply: OkReply) -> BaseModel:
    """The result as its command's model; PayloadError if it is not one (or unknown command)."""
    if command not in RESULTS:
        raise PayloadError(f"no result model for the command {command!r}")
    return parse(RESULTS[command], reply.result)
