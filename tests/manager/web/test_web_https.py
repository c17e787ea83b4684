"""The dashboard over HTTPS, as `[manager.dashboard] tls_certificate` / `tls_key` set it up."""

from __future__ import annotations

import http.client
import re
import socket
import ssl
import threading
import urllib.parse

import pytest
from testbed import issue_certificate, make_test_ca
from web_rig import PASSWORD, USER, ManagerRig, web_config

from frontdesk.contract.config import ConfigError
from frontdesk.manager.web.server import serve


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dashboard-tls")
    make_test_ca(folder)
    issue_certificate("dashboard", "/CN=frontdesk-manager", folder, "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    issue_certificate("other", "/CN=someone-else", folder)
    return folder


def tls_settings(folder, certificate: str = "dashboard.crt", key: str = "dashboard.key") -> str:
    return f'tls_certificate = "{folder / certificate}"\ntls_key = "{folder / key}"\n'


def https_request(port: int, ca_file, method: str, path: str, body: str | None = None, cookie: str = ""):
    context = ssl.create_default_context(cafile=str(ca_file))
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    headers = {"Cookie": cookie} if cookie else {}
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    connection.request(method, path, body=body, headers=headers)
    response = connection.getresponse()
    text = response.read().decode()
    connection.close()
    return response, text


def test_the_login_travels_over_https_and_the_session_cookie_never_leaves_it(certificates, tmp_path):
    config = web_config(tmp_path / "manager", dashboard=tls_settings(certificates))
    with ManagerRig(config, connect=False) as rig:
        ca = certificates / "ca.crt"
        response, page = https_request(rig.port, ca, "GET", "/login")
        assert response.status == 200 and response.getheader("strict-transport-security") == "max-age=31536000"
        form_cookie = response.getheader("set-cookie").split(";", 1)[0]
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        login = urllib.parse.urlencode({"username": USER, "password": PASSWORD, "csrf": token})
        response, _ = https_request(rig.port, ca, "POST", "/login", login, cookie=form_cookie)
        assert response.status == 303 and response.getheader("location") == "/"
        session = response.getheader("set-cookie")
        assert "; secure" in session.lower() and "httponly" in session.lower()
        response, board = https_request(rig.port, ca, "GET", "/", cookie=session.split(";", 1)[0])
        assert response.status == 200 and "csrf-token" in board

        with pytest.raises(ssl.SSLCertVerificationError):  # a client that does not trust the certificate
            https_request(rig.port, certificates / "other.crt", "GET", "/login")
        plain = http.client.HTTPConnection("127.0.0.1", rig.port, timeout=10)  # no TLS: no page
        with pytest.raises((http.client.HTTPException, ConnectionError)):
            plain.request("GET", "/login")
            plain.getresponse().read()


@pytest.mark.parametrize(("settings", "message"), [
    (lambda folder: tls_settings(folder, key="missing.key"), r"manager\.dashboard\.tls_key: .*missing\.key does not exist"),
    (lambda folder: tls_settings(folder, certificate="missing.crt"), r"manager\.dashboard\.tls_certificate: .* does not"),
    (lambda folder: tls_settings(folder, key="other.key"), r"manager\.dashboard\.tls_key: .*other\.key is not the "
                                                           r"private key of the certificate"),
    (lambda folder: f'tls_certificate = "{folder / "dashboard.crt"}"\n', r"manager\.dashboard: tls_certificate is set "
                                                                         r"without tls_key"),
])
def test_a_certificate_or_key_that_cannot_be_used_is_one_line_naming_the_key(certificates, tmp_path, settings, message):
    with pytest.raises(ConfigError, match=message):
        config = web_config(tmp_path / "manager", dashboard=settings(certificates))
        serve(config, None, None, threading.Event(), sock=socket.socket())
