"""A device taken out of its agent's config, as the manager sees it over the real broker: an
empty state message is a removal, recorded in the history, closing the device's incident
with one message if its fault was announced, and surviving a manager restart."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from manager_rig import alert_rules
from testbed import wait_until

from frontdesk.contract import mqtt as contract
from frontdesk.manager.history.schema import REMOVED, device_states, incidents
from frontdesk.manager.history.store import History
from frontdesk.manager.web.board import Board


def remove(agent, device: str) -> None:
    """What the agent does on its start for a device no longer in its config."""
    agent.publish(contract.device_topic(agent.site, agent.id, device, "state"), b"", retain=True)


def state_rows(history, device: str) -> list[tuple[str, list]]:
    with history.engine.connect() as conn:
        query = sa.select(device_states.c.health, device_states.c.reasons).where(
            device_states.c.device == device).order_by(device_states.c.id)
        return [(row.health, row.reasons) for row in conn.execute(query)]


def devices_on(history) -> set[str]:
    return {state["device"] for state in history.current_states()}


def test_a_removal_is_history_and_outlives_a_manager_restart(database_url, running_manager, fake_agent):
    _config, history, ingestor = running_manager(database_url)
    agent = fake_agent(devices={"desk-printer": "printer", "copier": "copier"})
    agent.all_ok()
    agent.state("copier", "error", ["jam"])
    agent.flush()
    assert wait_until(lambda: devices_on(history) == {"desk-printer", "copier"})
    remove(agent, "never-seen")  # nothing to remove
    remove(agent, "copier")
    remove(agent, "copier")  # an agent that clears again after its next start: nothing new
    agent.state("desk-printer", "warning", ["paper_near_end"])  # stored once all the above are
    agent.flush()
    assert wait_until(lambda: state_rows(history, "desk-printer")[-1][0] == "warning")
    assert state_rows(history, "copier") == [("ok", []), ("error", ["jam"]), (REMOVED, [])]
    assert state_rows(history, "never-seen") == [] and devices_on(history) == {"desk-printer"}

    ingestor.stop()  # a manager restart: the retained states arrive again, the copier's is gone
    _config, history, ingestor = running_manager(database_url)
    assert wait_until(lambda: ingestor.stats["received"] >= 2) and ingestor.drained(10)
    assert devices_on(history) == {"desk-printer"}
    board = Board()
    board.load(history.engine)
    assert [device.id for device in board.all_devices()] == ["desk-printer"]

    agent.state("copier", "error", ["jam"])  # put back in the config, still jammed: a new row
    agent.flush()
    assert wait_until(lambda: devices_on(history) == {"desk-printer", "copier"})
    assert state_rows(history, "copier")[-1] == ("error", ["jam"])


def incident_rows(history) -> dict[str, dict]:
    with history.engine.connect() as conn:
        return {row.device: dict(row._mapping) for row in conn.execute(sa.select(incidents).order_by(incidents.c.id))}


def settle(alerter, ingestor) -> None:
    assert wait_until(lambda: ingestor.drained(1) and alerter._inbox.empty())


def test_removing_a_device_ends_its_incident_with_one_message_if_its_fault_was_sent(
        alerting, smtp_server, webhook_server, fake_agent):
    extra = smtp_server.toml() + alert_rules(webhook=f'{{ url = "{webhook_server.url}" }}')
    alerter, history, ingestor = alerting(extra)
    agent = fake_agent(devices={"desk-printer": "printer", "copier": "copier", "fax": "fax", "spare": "printer"})
    agent.all_ok()
    down_since = datetime.now(timezone.utc) - timedelta(seconds=300)
    agent.state("desk-printer", "error", ["paper_out"], since=down_since)
    agent.state("copier", "warning", ["toner_low"])  # under its 15 minutes: never announced
    agent.flush()
    (fault,) = smtp_server.wait_for(1)
    assert "paper out" in fault["Subject"]

    for device in ("desk-printer", "copier", "fax"):
        remove(agent, device)
    agent.flush()
    removed_mail = smtp_server.wait_for(2)[1]
    assert removed_mail["Subject"].startswith(
        "[Frontdesk] desk-printer (printer) on hq/main removed from the agent's config; incident closed after 5 min")
    assert "Incident lasted: 5 min" in removed_mail.get_content()
    assert wait_until(lambda: len(webhook_server.requests) == 2)
    body = webhook_server.requests[1]["json"]
    assert (body["type"], body["device"], body["incident"]) == ("removed", "desk-printer",
                                                                webhook_server.requests[0]["json"]["incident"])
    assert body["ended_at"] is not None and body["down_seconds"] >= 300
    assert wait_until(lambda: [kind for kind, _ in alerter.sent] == ["fault", "removed"])
    rows = incident_rows(history)
    assert history.open_incidents() == [] and set(rows) == {"desk-printer", "copier"}
    assert rows["desk-printer"]["ended_by"] == rows["copier"]["ended_by"] == REMOVED
    assert rows["copier"]["alerted_at"] is None and rows["copier"]["recovery_alerted_at"] is None

    # The agent clears them again after its next start, the manager restarts, time passes: once only.
    remove(agent, "desk-printer")
    agent.flush()
    settle(alerter, ingestor)
    alerter, history, ingestor = alerting(extra)
    # The sentinel: another printer's fault, published after the new manager subscribed (so taken
    # after the retained states), announced by the alerter's own thread after all it did before.
    agent.state("spare", "error", ["paper_out"])
    agent.flush()
    assert "spare" in smtp_server.wait_for(3)[2]["Subject"]
    # The server has the mail before the alerter hears "250 OK", sends the webhook and marks the
    # incident announced: a check of ours before that would announce it again.
    wait_until(lambda: incident_rows(history)["spare"]["alerted_at"] is not None, 10, "the spare's fault marked sent")
    alerter.check(datetime.now(timezone.utc) + timedelta(hours=1))  # sends what is due, before it returns
    assert [mail["Subject"].split(" ")[1] for mail in smtp_server.messages()] == ["desk-printer"] * 2 + ["spare"]
    assert wait_until(lambda: len(webhook_server.requests) == 3)
    assert [(r["json"]["type"], r["json"]["device"]) for r in webhook_server.requests] == [
        ("fault", "desk-printer"), ("removed", "desk-printer"), ("fault", "spare")]

    # Put back, and failing at once: a new incident with its own fault message.
    agent.state("desk-printer", "error", ["cover_open"])
    agent.flush()
    assert "cover open" in smtp_server.wait_for(4)[3]["Subject"]


def test_put_back_within_the_hold_down_the_incident_carries_on_without_a_message(alerting, smtp_server, fake_agent):
    alerter, history, ingestor = alerting(smtp_server.toml() + alert_rules(hold_down_seconds=30))
    agent = fake_agent(devices={"desk-printer": "printer", "spare": "printer"})
    agent.state("desk-printer", "error", ["paper_out"])
    agent.flush()
    smtp_server.wait_for(1)
    remove(agent, "desk-printer")  # an agent restarted on a config with the printer left out by mistake
    agent.state("desk-printer", "error", ["cover_open"])  # ... and at once again with it
    agent.flush()
    # Wait for the outcome itself (the alerter's queue may be empty while it still works on the
    # last message): the same incident, reopened, with the new reason added.
    assert wait_until(lambda: [(i["reasons"], i["ended_at"], i["ended_by"]) for i in history.open_incidents()]
                      == [(["paper_out", "cover_open"], None, None)])
    assert len(incident_rows(history)) == 1 and state_rows(history, "desk-printer")[-2][0] == REMOVED
    alerter.check(datetime.now(timezone.utc) + timedelta(hours=1))  # sends what is due, before it returns
    # The sentinel: another printer's fault, announced by the alerter's thread after all it did before.
    agent.state("spare", "error", ["paper_out"])
    agent.flush()
    subjects = [mail["Subject"] for mail in smtp_server.wait_for(2)]
    assert len(subjects) == 2 and "spare" in subjects[1], subjects


def test_an_older_history_gets_the_new_incident_column(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:  # the incidents table as the previous version made it
        conn.execute(sa.text(
            "CREATE TABLE incidents (id INTEGER PRIMARY KEY, site VARCHAR(64) NOT NULL, agent VARCHAR(64) NOT NULL, "
            "device VARCHAR(64), kind VARCHAR(32) NOT NULL, health VARCHAR(16) NOT NULL, reasons JSON NOT NULL, "
            "started_at DATETIME NOT NULL, ended_at DATETIME, alerted_at DATETIME, recovery_alerted_at DATETIME)"))
        conn.execute(sa.text("INSERT INTO incidents (site, agent, device, kind, health, reasons, started_at) "
                             "VALUES ('hq', 'main', 'p1', 'printer', 'error', '[]', '2026-11-01 09:00:00')"))
    engine.dispose()
    history = History(url)
    try:
        (old,) = history.open_incidents()
        assert old["ended_by"] is None and old["device"] == "p1"
    finally:
        history.close()
