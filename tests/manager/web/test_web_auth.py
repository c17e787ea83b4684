"""Who gets in: the dashboard over real HTTP (uvicorn on a free port), as any client sees it."""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from web_rig import PASSWORD, USER

from frontdesk.manager.web.app import COOKIE


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    text: str

    def json(self) -> dict:
        return json.loads(self.text)


class Client:
    """An HTTP client with its own cookies that does not follow redirects."""

    def __init__(self, port: int, source: str = "127.0.0.1") -> None:
        self.port, self.source = port, source
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None, body: bytes | None = None,
                headers: dict | None = None) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10, source_address=(self.source, 0))
        headers = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                if morsel["max-age"] == "0" or morsel.value in ("", "null"):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        connection.close()
        return Answer(response.status, response.headers, text)

    def get(self, path: str) -> Answer:
        return self.request("GET", path)

    def login_form_token(self) -> str:
        return re.search(r'name="csrf" value="([^"]+)"', self.get("/login").text).group(1)

    def log_in(self, user: str = USER, password: str = PASSWORD) -> Answer:
        return self.request("POST", "/login", form={"username": user, "password": password,
                                                    "csrf": self.login_form_token()})

    def page_token(self) -> str:
        return re.search(r'name="csrf-token" content="([^"]+)"', self.get("/").text).group(1)


@pytest.fixture
def client(offline_web) -> Client:
    return Client(offline_web.port)


def test_an_anonymous_client_gets_nothing_but_the_login_page(client):
    for path in ("/", "/dashboard", "/static/dashboard.js", "/static/dashboard.css", "/nonexistent", "/static/../app.py"):
        answer = client.get(path)
        assert (answer.status, answer.headers["Location"]) == (303, "/login"), path
        assert "device" not in answer.text.lower()
    for path in ("/api/snapshot", "/events"):
        answer = client.get(path)
        assert answer.status == 401 and answer.json() == {"ok": False, "message": "Log in first."}
    action = client.request("POST", "/api/action", body=b"{}", headers={"Content-Type": "application/json"})
    assert action.status == 401
    login = client.get("/login")
    assert login.status == 200 and 'name="password"' in login.text and "Frontdesk" in login.text
    assert client.get("/static/login.css").status == 200


def test_every_answer_carries_the_security_headers(client):
    for answer in (client.get("/login"), client.get("/")):
        assert "default-src 'self'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Frame-Options"] == "DENY"
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_the_right_password_opens_the_dashboard(client):
    answer = client.log_in()
    assert (answer.status, answer.headers["Location"]) == (303, "/")
    page = client.get("/")
    assert page.status == 200 and "Log out" in page.text and USER in page.text
    assert client.get("/api/snapshot").json()["devices"] == []
    assert client.get("/static/dashboard.js").status == 200
    assert client.get("/login").status == 303  # already logged in


@pytest.mark.parametrize("user, password", [(USER, "wrong"), ("mallory", PASSWORD), (USER.upper(), PASSWORD)])
def test_a_wrong_name_or_password_is_refused_in_words(client, user, password):
    answer = client.log_in(user, password)
    assert answer.status == 401 and "Wrong user name or password." in answer.text
    assert client.get("/").status == 303


def test_a_login_without_its_form_token_is_refused(client):
    answer = client.request("POST", "/login", form={"username": USER, "password": PASSWORD})
    assert answer.status == 400 and "The login form had expired" in answer.text
    empty = client.request("POST", "/login", form={"username": "", "password": "", "csrf": client.login_form_token()})
    assert empty.status == 400 and "Enter your user name and password." in empty.text
    huge = client.request("POST", "/login", form={"username": "x" * 500, "password": "y",
                                                  "csrf": client.login_form_token()})
    assert huge.status == 400
    assert client.get("/").status == 303


def test_too_many_failures_lock_the_address_out_but_not_others(offline_web):
    guesser = Client(offline_web.port)
    for attempt in range(5):
        assert guesser.log_in(password=f"guess-{attempt}").status == 401
    locked = guesser.log_in()  # even the right password, while locked
    assert locked.status == 429 and "Too many failed attempts. Try again in 5 minutes." in locked.text
    assert guesser.get("/").status == 303
    colleague = Client(offline_web.port, source="127.0.0.2")  # another machine on the network
    assert colleague.log_in().status == 303 and colleague.get("/").status == 200


def test_logging_out_ends_the_session_even_for_a_copied_cookie(client, offline_web):
    client.log_in()
    copied = dict(client.cookies)
    refused = client.request("POST", "/logout", form={"csrf": "forged"})
    assert refused.status == 400 and client.get("/").status == 200  # a forged logout does nothing
    answer = client.request("POST", "/logout", form={"csrf": client.page_token()})
    assert (answer.status, answer.headers["Location"]) == (303, "/login")
    assert client.get("/").status == 303
    thief = Client(offline_web.port)
    thief.cookies = copied
    assert thief.get("/").status == 303 and thief.get("/api/snapshot").status == 401


def test_a_tampered_session_cookie_is_anonymous(client):
    client.log_in()
    value = client.cookies[COOKIE]
    client.cookies[COOKIE] = value[:-4] + ("AAAA" if not value.endswith("AAAA") else "BBBB")
    assert client.get("/").status == 303


def test_actions_need_the_page_token_and_json(client):
    client.log_in()
    token = client.page_token()
    body = json.dumps({"site": "hq", "agent": "main", "device": "desk-printer", "command": "printer_test"}).encode()
    no_token = client.request("POST", "/api/action", body=body, headers={"Content-Type": "application/json"})
    assert no_token.status == 403 and "reload the page" in no_token.json()["message"]
    wrong = client.request("POST", "/api/action", body=body,
                           headers={"Content-Type": "application/json", "X-CSRF-Token": token[::-1]})
    assert wrong.status == 403
    as_form = client.request("POST", "/api/action", body=b"command=printer_test",
                             headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token})
    assert as_form.status == 415
    headers = {"Content-Type": "application/json", "X-CSRF-Token": token}
    broken = client.request("POST", "/api/action", body=b"{not json", headers=headers)
    assert broken.status == 400 and broken.json()["message"] == "The request is not valid JSON."
    unknown = client.request("POST", "/api/action", body=body, headers=headers)
    assert unknown.status == 404 and "No device 'desk-printer'" in unknown.json()["message"]
    anything = json.dumps({"site": "hq", "agent": "main", "device": "x", "command": "print_receipt"}).encode()
    refused = client.request("POST", "/api/action", body=anything, headers=headers)
    assert refused.status == 400 and "cannot send 'print_receipt'" in refused.json()["message"]


def test_a_user_removed_from_the_config_is_logged_out(offline_web, client):
    client.log_in()
    assert client.get("/").status == 200
    offline_web.dashboard.users.pop(USER)  # what a restart with the user removed does
    assert client.get("/").status == 303


def test_the_server_stops_when_asked_even_with_event_streams_open(offline_web, client):
    import time

    client.log_in()
    stream = http.client.HTTPConnection("127.0.0.1", offline_web.port, timeout=10)
    stream.request("GET", "/events", headers={"Cookie": f"{COOKIE}={client.cookies[COOKIE]}"})
    response = stream.getresponse()
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/event-stream")
    assert b"event: hello" in response.readline() + response.readline()
    started = time.monotonic()
    offline_web.stop_server()  # fails if the server thread does not end
    assert time.monotonic() - started < 10
    try:
        response.read()  # returns (or gives up on a cut chunk) once the stream ended, instead of hanging
    except http.client.IncompleteRead:
        pass
    stream.close()
