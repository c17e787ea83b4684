"""What can go wrong when pricing postage, one class per reason staff can act on.

`reason` is a stable machine-readable code (MQTT error codes, manager counts);
the message is one sentence for the person at the desk.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from frontdesk.agent.postage.quote import PostageQuote


class PostageError(Exception):
    reason = "postage_error"


class RateTableError(PostageError):
    """A rate file is malformed; the message names the file and the key."""

    reason = "bad_rate_table"


class UnknownCarrier(PostageError):
    reason = "unknown_carrier"


class NoTableInForce(PostageError):
    """The carrier's tables all start after the date asked about."""

    reason = "no_table_in_force"


class UnknownMailClass(PostageError):
    reason = "unknown_mail_class"


class DestinationNotServed(PostageError):
    reason = "destination_not_served"


class InvalidWeight(PostageError):
    reason = "invalid_weight"


class Overweight(PostageError):
    """Too heavy for the class asked for; `alternative` is the cheapest class that takes it."""

    reason = "overweight"

    def __init__(self, message: str, *, alternative: PostageQuote | None = None) -> None:
        super().__init__(message)
        self.alternative = alternative


class SurchargeNotListed(PostageError):
    """A surcharge was asked for that the table does not price for this class and destination."""

    reason = "surcharge_not_listed"
