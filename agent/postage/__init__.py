"""Postage: carriers' rate tables as data files, and quotes for weighed mail.

    quote(parse_weight("85g"), "letter", "domestic", "usps")
    available_classes("deutschepost", "international", Decimal("120"))
"""

from frontdesk.agent.postage.errors import PostageError
from frontdesk.agent.postage.quote import PostageQuote, available_classes, quote
from frontdesk.agent.postage.tables import RateTable, load_rate_tables, table_for

__all__ = [
    "PostageError",
    "PostageQuote",
    "RateTable",
    "available_classes",
    "load_rate_tables",
    "quote",
    "table_for",
]
