"""A real SMTP server for the tests (aiosmtpd in a thread): STARTTLS or TLS from the start,
AUTH LOGIN required, with a self-signed certificate made by the openssl command."""

from __future__ import annotations

import email
import email.policy
import socket
import subprocess
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from testbed import wait_until

USERNAME, PASSWORD = "alerts", "s3cret-pass"


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1 and localhost, valid for a day."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    if not cert.exists():
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
                        "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                       check=True, capture_output=True, timeout=60)
    return cert, key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Collector:
    def __init__(self, lab: MailLab) -> None:
        self.lab = lab

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lab.lock:
            self.lab.deliveries.append({"message": message, "to": list(envelope.rcpt_tos),
                                        "tls": server.transport.get_extra_info("ssl_object") is not None,
                                        "authenticated": session.authenticated})
            self.lab.lock.notify_all()
        return "250 OK"  # after the mail is in `deliveries`: a sender that heard this finds it there


class MailLab:
    """`security` is "starttls" (STARTTLS required before AUTH) or "tls" (TLS from the start)."""

    def __init__(self, folder: Path, security: str = "starttls", port: int | None = None) -> None:
        import ssl

        self.security = security
        self.cert, key = self_signed_certificate(folder)
        self.port = port or free_port()
        self.deliveries: list[dict] = []
        self.logins: list[tuple[str, bytes | None, bool]] = []  # (mechanism, user, accepted)
        self.lock = threading.Condition()  # notified on every delivery
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(self.cert, key)
        self._controller: Controller | None = None

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        good = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            USERNAME.encode(), PASSWORD.encode())
        self.logins.append((mechanism, auth_data.login if isinstance(auth_data, LoginPassword) else None, good))
        return AuthResult(success=good, handled=False)

    def start(self) -> MailLab:
        settings = dict(auth_required=True, auth_require_tls=True, authenticator=self._authenticate,
                        auth_exclude_mechanism=["PLAIN"])  # so the client has to speak AUTH LOGIN
        if self.security == "tls":
            # aiosmtpd only counts STARTTLS as TLS when deciding to offer AUTH; here every byte
            # is TLS already (the test checks session.ssl), so let it offer AUTH anyway.
            settings["auth_require_tls"] = False
            self._controller = Controller(_Collector(self), hostname="127.0.0.1", port=self.port,
                                          ssl_context=self._context, server_hostname="localhost", **settings)
        else:
            self._controller = Controller(_Collector(self), hostname="127.0.0.1", port=self.port,
                                          tls_context=self._context, require_starttls=True, **settings)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> MailLab:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def toml(self, **overrides) -> str:
        """The [manager.smtp] section that sends through this server."""
        settings = {"host": "127.0.0.1", "port": self.port, "security": self.security, "username": USERNAME,
                    "password": PASSWORD, "sender": "frontdesk@example.com", "ca_file": str(self.cert),
                    "timeout": 5, **overrides}
        body = "\n".join(f"{k} = {v}" if isinstance(v, (int, float)) else f'{k} = "{v}"' for k, v in settings.items())
        return f"[manager.smtp]\n{body}\n"

    def messages(self) -> list:
        with self.lock:
            return [d["message"] for d in self.deliveries]

    def wait_for(self, count: int, timeout: float = 15) -> list:
        """Every message so far, once there are at least `count` (an AssertionError if not within
        `timeout`). To show that no more came, send something that must come after them and wait
        for that (see the alert tests' sentinels), rather than wait for a count that never comes."""
        wait_until(lambda: len(self.deliveries) >= count, timeout, f"{count} mail(s) at the SMTP server",
                   condition=self.lock, last=lambda: [m["Subject"] for m in self.messages()])
        return self.messages()
