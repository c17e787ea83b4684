"""Sending faxes through a CUPS fax queue, and following each one to its outcome."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from frontdesk.contract import clock
from frontdesk.devices.queues.driver import PrintQueue
from frontdesk.devices.queues.errors import InvalidJobOptions
from frontdesk.devices.queues.jobs import QueueJob


def normalise_fax_number(number: str, default_region: str | None) -> str:
    """The number in international E.164 form (+40212345678), or a clear error."""
    import phonenumbers

    try:
        parsed = phonenumbers.parse(number, default_region)
    except phonenumbers.NumberParseException as error:
        hint = "" if number.strip().startswith("+") or default_region else (
            "; write it with its country code (+40 ...) or set office.country in the config"
        )
        raise InvalidJobOptions(f"{number!r} is not a fax number: {error}{hint}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidJobOptions(f"{number!r} is not a valid phone number for its country")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@dataclass(frozen=True)
class CoverSheet:
    sender: str
    recipient: str
    note: str = ""


@dataclass(frozen=True)
class FaxOutcome:
    job_id: int
    number: str
    outcome: Literal["sent", "failed", "pending"]
    reason: str
    job: QueueJob


class FaxQueue(PrintQueue):
    def send_fax(self, path: Path, number: str, *, region: str | None = None, cover: CoverSheet | None = None) -> tuple[int, str]:
        """Submit a fax; returns (job id, the number in E.164 form)."""
        if self.config.kind != "fax":
            raise InvalidJobOptions(f"queue {self.id!r} is a {self.config.kind}, not a fax queue", device_id=self.id)
        e164 = normalise_fax_number(number, region)
        self._check_format(Path(path))
        options = {"phone": e164, "faxnumber": e164}
        if cover is None:
            return self._submit([Path(path)], f"Fax to {e164}", options), e164
        with tempfile.TemporaryDirectory(prefix="frontdesk-fax-") as folder:
            sheet = Path(folder) / "cover.txt"
            sheet.write_text(_cover_text(cover, e164), encoding="utf-8")
            return self._submit([sheet, Path(path)], f"Fax to {e164}", options), e164

    def _check_format(self, path: Path) -> None:
        """Refuse a document the queue cannot fax now, rather than have it fail on the line."""
        found = document_format(path)
        supported = self._call(lambda c: c.getPrinterAttributes(self.name, requested_attributes=[
            "document-format-supported"]), "read the formats it accepts").get("document-format-supported", ())
        accepted = {supported} if isinstance(supported, str) else set(supported)
        accepted.discard("application/octet-stream")  # raw: passed to the line unconverted, not a document
        if found not in accepted:
            raise InvalidJobOptions(
                f"fax queue {self.id!r} cannot send {path.name}: its format is {found}; it accepts "
                f"{', '.join(sorted(accepted)) or 'nothing'}", device_id=self.id)

    def outcome(self, job_id: int, number: str, timeout: float = 60.0) -> FaxOutcome:
        """Follow a fax until CUPS says it went out or failed (or the time is up)."""
        job = self.wait_for(job_id, timeout)
        if job.state == "completed":
            return FaxOutcome(job_id, number, "sent", "", job)
        if job.finished or job.state == "stopped":
            return FaxOutcome(job_id, number, "failed", self._failure_reason(job), job)
        queue = self.state()
        if queue.state == "stopped":
            return FaxOutcome(job_id, number, "failed", queue.message or self._failure_reason(job), job)
        return FaxOutcome(job_id, number, "pending", job.message or job.state, job)

    def _failure_reason(self, job: QueueJob) -> str:
        if job.message:
            return job.message
        reasons = [r for r in job.reasons if r not in ("none", "job-completed-with-errors")]
        return ", ".join(reasons) or job.state


# A document's first bytes -> its MIME type (the formats a fax line is given in practice).
_SIGNATURES = [
    (b"%PDF-", "application/pdf"), (b"%!", "application/postscript"), (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"II*\x00", "image/tiff"), (b"MM\x00*", "image/tiff"),
    (b"RaS2", "image/pwg-raster"), (b"UNIRAST", "image/urf"),
]


def document_format(path: Path) -> str:
    """The document's MIME type from its first bytes; text/plain for UTF-8 text."""
    with open(path, "rb") as document:
        head = document.read(4096)
    for signature, mime in _SIGNATURES:
        if head.startswith(signature):
            return mime
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 4:  # not merely a character cut at the 4096th byte
            return "application/octet-stream"
    return "text/plain" if b"\x00" not in head else "application/octet-stream"


def _cover_text(cover: CoverSheet, number: str) -> str:
    when = clock.now().strftime("%Y-%m-%d %H:%M UTC")
    lines = ["FAX", "", f"To:   {cover.recipient} ({number})", f"From: {cover.sender}", f"Date: {when}", ""]
    return "\n".join(lines + ([cover.note] if cover.note else [])) + "\n"
