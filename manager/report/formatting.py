"""Numbers, money, dates and device words as the report prints them.

The words are English (the manager reads the report); numbers and money follow
the office's locale through Babel, so a Romanian office sees "1.234,50 RON".
Dates are written in English with the month as a word, which no reader can
misread whatever their own day/month order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_time
from babel.numbers import format_currency, format_decimal, format_percent

# Words for the reason codes of docs/mqtt.md; any other code is shown with its
# underscores turned into spaces.
REASON_WORDS = {
    "unreachable": "unreachable", "no_status": "no status answer", "offline": "offline",
    "supervisor_restarting": "agent loop restarting",
    "paper_near_end": "paper near end", "paper_out": "paper out", "cover_open": "cover open",
    "cutter_error": "cutter error", "mechanical_error": "mechanical error",
    "unrecoverable_error": "unrecoverable error", "recoverable_error": "recoverable error",
    "no_answer": "no answer", "garbled": "garbled readings", "protocol_error": "protocol error",
    "overload": "overload", "underload": "underload", "jam": "paper jam", "toner_low": "toner low",
    "toner_empty": "toner empty", "supply_low": "supply low", "door_open": "door open",
    "paused": "paused", "stopped": "stopped", "stopped_with_jobs": "stopped with jobs waiting",
    "not_accepting": "not accepting jobs", "device_unreachable": "device unreachable",
    "cups_unavailable": "print server unavailable", "queue_not_found": "queue not found",
}
KIND_WORDS = {"printer": "receipt printer", "scale": "postage scale", "copier": "copier", "fax": "fax",
              "agent": "desk computer (agent)", "kiosk": "visitor kiosk"}
BUCKET_WORDS = {"ok": "OK", "warning": "warning", "error": "error", "offline": "offline",
                "agent_offline": "agent offline", "no_data": "no data"}
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def office_locale(language: str, country: str | None) -> Locale:
    """The office's locale for numbers: language and country, else the language alone."""
    if country:
        try:
            return Locale.parse(f"{language}_{country}")
        except (UnknownLocaleError, ValueError):
            pass
    return Locale.parse(language)


def words(code: str) -> str:
    return REASON_WORDS.get(code, code.replace("_", " "))


@dataclass(frozen=True)
class Formats:
    locale: Locale
    currency: str  # the office's own currency, for the charts' axis labels

    def number(self, value: float | int, decimals: int = 0) -> str:
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def money(self, amount: Decimal, currency: str | None = None) -> str:
        return format_currency(amount, currency or self.currency, locale=self.locale)

    def amounts(self, totals: dict[str, Decimal]) -> str:
        """One or more currencies' amounts; a dash for none."""
        return " + ".join(self.money(amount, currency) for currency, amount in sorted(totals.items())) or "–"

    def percent(self, share: float | None, decimals: int = 1) -> str:
        if share is None:
            return "–"
        return format_percent(share, format="#,##0." + "0" * decimals + "%", locale=self.locale)

    def grams(self, grams: float) -> str:
        if grams >= 1000:
            return self.number(grams / 1000, 2) + " kg"
        return self.number(grams) + " g"

    def duration(self, seconds: float | None) -> str:
        """'2 d 4 h', '1 h 05 min', '12 min', '40 s'; a dash for none."""
        if seconds is None:
            return "–"
        seconds = round(seconds)
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        if days:
            return f"{days} d {hours} h"
        if hours:
            return f"{hours} h {minutes:02d} min"
        if minutes:
            return f"{minutes} min" if minutes >= 10 or not secs else f"{minutes} min {secs:02d} s"
        return f"{secs} s"

    @staticmethod
    def day(value: date) -> str:
        return format_date(value, "EEE d MMM y", locale="en")

    @staticmethod
    def short_day(value: date) -> str:
        return format_date(value, "EEE d MMM", locale="en")

    @staticmethod
    def long_day(value: date) -> str:
        return format_date(value, "EEEE d MMMM y", locale="en")

    @staticmethod
    def time(value: datetime) -> str:
        return format_time(value, "HH:mm", locale="en")

    @staticmethod
    def moment(value: datetime) -> str:
        return f"{Formats.day(value)} {Formats.time(value)}"

    @staticmethod
    def hour_slot(hour: int) -> str:
        return f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"

    @staticmethod
    def weekday(index: int) -> str:
        return WEEKDAYS[index]


def formats_for(office) -> Formats:
    """Formats for an `[office]` config section."""
    return Formats(office_locale(office.language, office.country), office.currency)
