"""send_mail() against a real SMTP server: STARTTLS and TLS with login, attachments, and
one clear MailError for each way it can go wrong."""

from __future__ import annotations

import pytest
from mail_lab import USERNAME, MailLab, free_port

from frontdesk.contract.config import parse_config
from frontdesk.manager.mailer import MailError, send_mail


def smtp(lab: MailLab, **overrides):
    return parse_config(lab.toml(**overrides)).manager.smtp


def test_starttls_and_login_with_html_and_a_pdf(smtp_server):
    send_mail(smtp(smtp_server), ["boss@example.com"], "Weekly report", "See the attachment.",
              html="<p>See the <b>attachment</b>.</p>", attachments=[("report.pdf", b"%PDF-1.7 test", "application/pdf")])
    (mail,) = smtp_server.wait_for(1)
    delivery = smtp_server.deliveries[0]
    assert delivery["tls"] and delivery["authenticated"] and smtp_server.logins == [("LOGIN", USERNAME.encode(), True)]
    assert mail["Subject"] == "Weekly report" and mail["Message-ID"].endswith("@example.com>")
    assert mail.get_body(("plain",)).get_content().strip() == "See the attachment."
    assert "<b>attachment</b>" in mail.get_body(("html",)).get_content()
    (pdf,) = list(mail.iter_attachments())
    assert (pdf.get_filename(), pdf.get_content_type(), pdf.get_content()) == ("report.pdf", "application/pdf", b"%PDF-1.7 test")


def test_tls_from_the_first_byte(smtps_server):
    send_mail(smtp(smtps_server), ["a@example.com"], "Hello", "Über TLS, ăîșț")
    (mail,) = smtps_server.wait_for(1)
    assert smtps_server.deliveries[0]["tls"] and mail.get_content().strip() == "Über TLS, ăîșț"


def test_a_wrong_password(smtp_server):
    with pytest.raises(MailError, match=rf"refused the login of '{USERNAME}': "):
        send_mail(smtp(smtp_server, password="wrong"), ["a@example.com"], "x", "y")
    assert smtp_server.messages() == []


def test_an_untrusted_certificate(smtp_server):
    config = parse_config(smtp_server.toml().replace(f'ca_file = "{smtp_server.cert}"\n', "")).manager.smtp
    assert config.ca_file is None
    with pytest.raises(MailError, match=r"TLS with SMTP server 127\.0\.0\.1:\d+ failed: CERTIFICATE_VERIFY_FAILED"):
        send_mail(config, ["a@example.com"], "x", "y")


def test_no_starttls_means_no_login(smtp_server):
    with pytest.raises(MailError, match=r"answered 530|does not offer login"):
        send_mail(smtp(smtp_server, security="none"), ["a@example.com"], "x", "y")
    assert smtp_server.messages() == []


def test_nobody_listening():
    lab_port = free_port()
    config = parse_config(f'[manager.smtp]\nhost = "127.0.0.1"\nport = {lab_port}\nsender = "f@example.com"\ntimeout = 2\n')
    with pytest.raises(MailError, match=rf"cannot send through SMTP server 127\.0\.0\.1:{lab_port}: .*refused"):
        send_mail(config.manager.smtp, ["a@example.com"], "x", "y")


def test_no_recipients_and_a_bad_attachment_type(smtp_server):
    with pytest.raises(ValueError, match="no recipients"):
        send_mail(smtp(smtp_server), [], "x", "y")
    with pytest.raises(ValueError, match="'pdf' is not a MIME type"):
        send_mail(smtp(smtp_server), ["a@example.com"], "x", "y", attachments=[("r.pdf", b"x", "pdf")])

