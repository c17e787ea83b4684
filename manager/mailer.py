"""Sending mail through the office's SMTP server, with TLS and login (smtplib).

Used for alerts and for the scheduled report. Every failure becomes a MailError
with one line saying what went wrong and where; the caller decides when to retry.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from frontdesk.contract.manager_config import SmtpConfig

Attachment = tuple[str, bytes, str]  # (filename, content, MIME type such as "application/pdf")


class MailError(Exception):
    """The mail could not be handed to the SMTP server."""


def build_message(smtp: SmtpConfig, to: Iterable[str], subject: str, text: str, html: str | None = None,
                  attachments: Iterable[Attachment] = ()) -> EmailMessage:
    message = EmailMessage()
    message["From"] = smtp.sender
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=smtp.sender.rsplit("@", 1)[-1])
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for filename, content, mime in attachments:
        maintype, _, subtype = mime.partition("/")
        if not subtype:
            raise ValueError(f"attachment {filename!r}: {mime!r} is not a MIME type such as 'application/pdf'")
        message.add_attachment(content, maintype=maintype, subtype=subtype, filename=filename)
    return message


def _tls_context(smtp: SmtpConfig) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(smtp.ca_file) if smtp.ca_file else None)


def _connect(smtp: SmtpConfig) -> smtplib.SMTP:
    if smtp.security == "tls":
        return smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=_tls_context(smtp))
    connection = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    if smtp.security == "starttls":
        try:
            connection.starttls(context=_tls_context(smtp))
        except BaseException:
            connection.close()
            raise
    return connection


def send_mail(smtp: SmtpConfig, to: Iterable[str], subject: str, text: str, html: str | None = None,
              attachments: Iterable[Attachment] = ()) -> dict[str, tuple[int, bytes]]:
    """Send one mail to every address in `to`; MailError if the server did not take it.

    Returns the recipients the server refused while accepting the others (smtplib's
    dict): the mail went out, so sending it again would duplicate it for the others."""
    to = list(to)
    if not to:
        raise ValueError("no recipients: add addresses to email_to")
    message = build_message(smtp, to, subject, text, html, attachments)
    where = f"SMTP server {smtp.host}:{smtp.port}"
    try:
        with _connect(smtp) as connection:
            if smtp.username:
                connection.login(smtp.username, smtp.password or "")
            refused = connection.send_message(message)
    except smtplib.SMTPNotSupportedError as error:
        raise MailError(f"{where} does not offer {_what(error)} (security = {smtp.security!r})") from None
    except smtplib.SMTPAuthenticationError as error:
        raise MailError(f"{where} refused the login of {smtp.username!r}: {_text(error)}") from None
    except smtplib.SMTPRecipientsRefused as error:
        raise MailError(f"{where} refused every recipient: {', '.join(error.recipients)}") from None
    except smtplib.SMTPResponseException as error:
        raise MailError(f"{where} answered {error.smtp_code}: {_text(error)}") from None
    except ssl.SSLError as error:
        raise MailError(f"TLS with {where} failed: {error.reason or error}") from None
    except (smtplib.SMTPException, OSError) as error:
        raise MailError(f"cannot send through {where}: {error or type(error).__name__}") from None
    return refused


def _text(error: smtplib.SMTPResponseException) -> str:
    reply = error.smtp_error
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _what(error: smtplib.SMTPNotSupportedError) -> str:
    text = str(error).lower()
    return "STARTTLS" if "starttls" in text else "login (AUTH)" if "auth" in text else str(error)
