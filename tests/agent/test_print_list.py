"""print_list: a plain list on paper (the evacuation list), not a receipt: no number, no ledger record."""

from __future__ import annotations

import json

from frontdesk.contract import mqtt as contract
from frontdesk.contract.config import parse_config
from frontdesk.contract.mqtt_client import AgentConnection
from testbed import OFFICE_TOML, Recorder, RunningAgent

LEDGER, AVAILABILITY = contract.agent_ledger("test", "main"), contract.agent_availability("test", "main")


def test_a_list_prints_its_lines_with_diacritics_and_is_no_receipt(tmp_path, broker, printer_sim):
    config = parse_config(
        OFFICE_TOML + f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
        f'[agent]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[[printer]]\nid = "desk"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer_sim.port}\n'
        "status_timeout = 0.5\n"
    )
    watcher = Recorder(broker, LEDGER, AVAILABILITY)
    link = AgentConnection(config.mqtt, "test", "main", "test-lists", contract.kiosk_replies("test", "lobby"))
    link.start()
    try:
        with RunningAgent(config):
            watcher.wait_for(lambda t, p, r: t == AVAILABILITY and p == b"online", 15, "the agent online")
            request = {"title": "EVACUARE 09:41", "lines": ["09:02 Ștefania Țăran / Ion Popescu", "09:15 Jürgen Weiß"],
                       "footer": "Pe site: 2", "language": "ro", "request_id": "evac-1", "wait": 10}
            reply = link.commands.request("print_list", request, timeout=30)
            again = link.commands.request("print_list", request, timeout=30)
            bad = link.commands.request("print_list", {**request, "lines": ["x" * 201], "request_id": None},
                                        timeout=30)
            # The sentinel: a mail item, which has a ledger record. The agent puts a command's
            # record in its outbox before it replies, and the outbox sends in order, on one topic
            # from one client: had a list made a record, it would be here before this one.
            mail = link.commands.request("mail_record", {"weight": "85g", "mail_class": "large_letter",
                                                         "carrier": "deutschepost", "staff": "Ana"}, timeout=30)
            entry = str(mail["result"]["id"])
            watcher.wait_for(lambda t, p, r: t == LEDGER and json.loads(p).get("entry") == entry, 20,
                             "the sentinel's ledger record")
    finally:
        link.stop()
        watcher.close()
    ledger = watcher.json_on(LEDGER)
    assert reply["ok"] and reply["result"]["state"] == "printed", reply
    assert reply["result"]["receipt_number"] is None and again["result"]["duplicate"]
    assert bad["error"]["code"] == "invalid_request" and "200 characters" in bad["error"]["message"]
    printed = [job.text_rendering() for job in printer_sim.jobs if "EVACUARE" in job.text_rendering()]
    assert len(printed) == 1
    # Ș/Ț print as Ş/Ţ: no code page has the comma-below letters (docs/printing.md).
    assert "Ştefania Ţăran / Ion Popescu" in printed[0] and "Jürgen Weiß" in printed[0] and "Pe site: 2" in printed[0]
    assert "TOTAL" not in printed[0] and [record["event"] for record in ledger] == ["mail_recorded"], ledger
