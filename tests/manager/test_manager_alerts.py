"""Alerts from real MQTT traffic to a real SMTP server and a real webhook receiver."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from mail_lab import MailLab
from manager_rig import alert_rules
from testbed import wait_until

from frontdesk.manager.alerts import duration_words
from frontdesk.manager.history.schema import incidents


def ago(seconds: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(seconds=seconds)


def test_one_mail_per_incident_over_starttls_with_login(database_url, alerting, smtp_server, fake_agent):
    alerter, history, ingestor = alerting(smtp_server.toml() + alert_rules(), database_url)
    agent = fake_agent()
    agent.all_ok()
    agent.state("desk-printer", "error", ["paper_out"], paper="out")
    agent.flush()
    (mail,) = smtp_server.wait_for(1)
    assert mail["Subject"] == "[Frontdesk] desk-printer (printer) on hq/main: error (paper out)"
    assert mail["To"] == "manager@example.com, it@example.com" and mail["From"] == "frontdesk@example.com"
    body = mail.get_content()
    assert "Reasons: paper out" in body and "EET" in body  # times in the office's time zone
    delivery = smtp_server.deliveries[0]
    assert delivery["tls"] and delivery["authenticated"] and smtp_server.logins == [("LOGIN", b"alerts", True)]
    assert sorted(delivery["to"]) == ["it@example.com", "manager@example.com"]

    # The same fault again, a second reason, a reconnect's republish: the same incident.
    agent.state("desk-printer", "error", ["paper_out", "cover_open"])
    agent.republish()
    agent.flush()
    # The sentinel: another device's fault, published once the broker had taken those (flush). The
    # alerter applies messages in order on its one thread and announces due faults in the order of
    # their incidents, so a second mail about the printer would come before this one.
    agent.state("copier", "error", ["jam"])
    agent.flush()
    subjects = [mail["Subject"] for mail in smtp_server.wait_for(2)]
    assert len(subjects) == 2 and "desk-printer" in subjects[0] and "copier" in subjects[1], subjects
    (incident,) = [i for i in history.open_incidents() if i["device"] == "desk-printer"]
    assert incident["reasons"] == ["paper_out", "cover_open"] and incident["alerted_at"] is not None


def test_flapping_within_the_hold_down_is_one_incident_and_the_recovery_says_how_long(alerting, smtp_server, fake_agent):
    alerter, history, _ = alerting(smtp_server.toml() + alert_rules(hold_down_seconds=3))
    agent = fake_agent()
    agent.all_ok()
    start = ago(400)
    agent.state("copier", "error", ["jam"], since=start)
    agent.flush()
    smtp_server.wait_for(1)
    for _ in range(4):  # ok, jam, ok, jam ... quicker than the hold-down
        agent.state("copier", "ok")
        agent.state("copier", "error", ["jam"])
    agent.state("copier", "ok", since=start + timedelta(seconds=312))
    agent.flush()
    fault, recovery = smtp_server.wait_for(2, timeout=20)
    assert "error (jam)" in fault["Subject"]
    assert recovery["Subject"] == "[Frontdesk] copier (copier) on hq/main recovered after 5 min 12 s"
    assert "Down for: 5 min 12 s" in recovery.get_content()
    # The SMTP server holds the mail a moment before the alerter hears "250 OK" and counts it as sent.
    assert wait_until(lambda: len(alerter.sent) == 2)
    assert [kind for kind, _ in alerter.sent] == ["fault", "recovery"]
    assert history.open_incidents() == [] and len(smtp_server.messages()) == 2
    with history.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(incidents)).scalar_one() == 1


def test_a_warning_is_announced_only_once_it_lasted_the_threshold(alerting, smtp_server, fake_agent):
    alerter, history, ingestor = alerting(smtp_server.toml() + alert_rules(warning_after_minutes=15))
    agent = fake_agent(devices={"copier": "copier", "fax": "fax"})
    agent.all_ok()
    agent.state("fax", "warning", ["supply_low"])  # just now: not worth a mail yet
    agent.state("copier", "warning", ["toner_low"], since=ago(16 * 60))  # low for 16 minutes
    agent.flush()
    (mail,) = smtp_server.wait_for(1)
    assert "copier" in mail["Subject"] and "toner low" in mail["Subject"]
    assert ingestor.drained(5)
    # The server has the mail before the alerter hears "250 OK" and marks the incident announced:
    # a check of ours before that would announce it again.
    wait_until(lambda: all(i["alerted_at"] for i in history.open_incidents() if i["device"] == "copier"), 10,
               "the copier's incident marked announced")
    alerter.check(datetime.now(timezone.utc))
    alerter.check(datetime.now(timezone.utc) + timedelta(minutes=15, seconds=1))  # the fax's turn
    assert len(smtp_server.wait_for(2)) == 2
    assert "fax" in smtp_server.messages()[1]["Subject"]


def test_an_offline_agent_is_one_incident_not_one_per_device(alerting, smtp_server, fake_agent):
    alerter, history, _ = alerting(smtp_server.toml() + alert_rules())
    agent = fake_agent(devices={"a": "printer", "b": "printer", "c": "copier", "d": "fax"})
    agent.all_ok()
    agent.offline()
    agent.flush()
    (mail,) = smtp_server.wait_for(1)
    assert mail["Subject"] == "[Frontdesk] agent main at hq: offline (agent offline)"
    agent.online()
    agent.flush()
    assert smtp_server.wait_for(2)[1]["Subject"].startswith("[Frontdesk] agent main at hq recovered after")
    assert len(smtp_server.messages()) == 2
    assert all(incident["device"] is not None for incident in history.open_incidents())


def test_a_kiosk_that_goes_offline_is_announced_too(alerting, smtp_server, fake_kiosk):
    alerting(smtp_server.toml() + alert_rules())
    kiosk = fake_kiosk()
    kiosk.online()
    kiosk.offline()
    kiosk.flush()
    (mail,) = smtp_server.wait_for(1)
    assert mail["Subject"] == "[Frontdesk] kiosk lobby at hq: offline (kiosk offline)"
    assert "Kiosk: lobby" in mail.get_content()


def test_a_restart_does_not_announce_an_open_incident_again(database_url, alerting, smtp_server, fake_agent):
    alerter, history, ingestor = alerting(smtp_server.toml() + alert_rules(), database_url)
    agent = fake_agent()
    agent.state("desk-printer", "offline", ["unreachable"])
    agent.flush()
    smtp_server.wait_for(1)
    ingestor.stop()
    alerter.stop()
    alerter, history, ingestor = alerting(smtp_server.toml() + alert_rules(), database_url)  # retained state again
    # The sentinel: another device's fault, published after the new manager subscribed, so taken
    # after the retained state; its mail would come after one announcing the printer again.
    agent.state("copier", "error", ["jam"])
    agent.flush()
    subjects = [mail["Subject"] for mail in smtp_server.wait_for(2)]
    assert len(subjects) == 2 and "desk-printer" in subjects[0] and "copier" in subjects[1], subjects
    assert {incident["device"] for incident in history.open_incidents()} == {"desk-printer", "copier"}
    assert len(history.open_incidents()) == 2


def test_webhook_gets_the_fault_and_the_recovery_as_json(alerting, webhook_server, fake_agent):
    alerting(alert_rules(email_to="[]", webhook=f'{{ url = "{webhook_server.url}" }}'))
    agent = fake_agent()
    down_at = ago(100)
    agent.state("desk-printer", "error", ["cover_open"], since=down_at)
    agent.flush()
    assert wait_until(lambda: len(webhook_server.requests) == 1)
    agent.state("desk-printer", "ok", since=down_at + timedelta(seconds=90))
    agent.flush()
    assert wait_until(lambda: len(webhook_server.requests) == 2)
    fault, recovery = (r["json"] for r in webhook_server.requests)
    assert webhook_server.requests[0]["path"] == "/hooks/frontdesk"
    assert webhook_server.requests[0]["headers"]["Content-Type"] == "application/json"
    assert (fault["type"], fault["device"], fault["health"], fault["reasons"]) == ("fault", "desk-printer", "error", ["cover_open"])
    assert recovery["type"] == "recovery" and recovery["down_seconds"] == pytest.approx(90, abs=0.01)
    assert recovery["incident"] == fault["incident"]


def test_a_mail_server_that_is_down_is_logged_and_tried_again(alerting, tmp_path, fake_agent, caplog):
    lab = MailLab(tmp_path)  # not started yet: nothing listens on its port
    with caplog.at_level(logging.ERROR, logger="frontdesk.manager.alerts"):
        alerter, history, _ = alerting(lab.toml() + alert_rules(), retry_seconds=0.5)
        agent = fake_agent()
        agent.state("desk-printer", "error", ["paper_out"])
        agent.flush()
        assert wait_until(lambda: "could not send the fault alert" in caplog.text)
    assert f"SMTP server 127.0.0.1:{lab.port}" in caplog.text and "Traceback" not in caplog.text
    assert history.open_incidents()[0]["alerted_at"] is None
    with lab:
        (mail,) = lab.wait_for(1)
        assert "paper out" in mail["Subject"]
        assert wait_until(lambda: history.open_incidents()[0]["alerted_at"] is not None)
    assert alerter.sent == [("fault", history.open_incidents()[0]["id"])]


def test_a_failing_webhook_does_not_send_the_mail_twice(alerting, smtp_server, webhook_server, fake_agent):
    webhook_server.status = 503
    alerter, history, _ = alerting(smtp_server.toml() + alert_rules(webhook=f'{{ url = "{webhook_server.url}" }}'),
                                   retry_seconds=0.3)
    agent = fake_agent()
    agent.state("copier", "error", ["door_open"])
    agent.flush()
    assert wait_until(lambda: len(webhook_server.requests) >= 2)  # tried, and tried again
    webhook_server.status = 200
    assert wait_until(lambda: alerter.sent)
    assert len(smtp_server.messages()) == 1


@pytest.mark.parametrize(("seconds", "words"), [(0, "0 s"), (42.4, "42 s"), (312, "5 min 12 s"),
                                                 (7500, "2 h 05 min"), (-3, "0 s")])
def test_downtime_in_words(seconds, words):
    assert duration_words(seconds) == words
