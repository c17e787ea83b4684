"""print_list: a plain list on paper (the evacuation list), not a receipt: no number, no ledger record."""

from __future__ import annotations

import json
import threading

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from contract import mqtt as contract
from contract.config import parse_config
from contract.mqtt_client import AgentConnection
from testbed import OFFICE_TOML, RunningAgent


def test_a_list_prints_its_lines_with_diacritics_and_is_no_receipt(tmp_path, broker, printer_sim):
    config = parse_config(
        OFFICE_TOML + f'[mqtt]\nhost = "{broker.host}"\nport = {broker.port}\n'
        f'[agent]\ndata_dir = "{tmp_path / "data"}"\n'
        f'[[printer]]\nid = "desk"\nconnection = "network"\nhost = "127.0.0.1"\nport = {printer_sim.port}\n'
        "status_timeout = 0.5\n"
    )
    ledger: list[dict] = []
    online = threading.Event()

    def seen(client, userdata, message) -> None:
        if message.topic.endswith("/availability"):
            if message.payload == b"online":
                online.set()
        else:
            ledger.append(json.loads(message.payload))

    watcher = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    watcher.on_message = seen
    watcher.connect(broker.host, broker.port)
    watcher.subscribe([(contract.agent_ledger("test", "main"), 1), (contract.agent_availability("test", "main"), 1)])
    watcher.loop_start()
    link = AgentConnection(config.mqtt, "test", "main", "test-lists", contract.kiosk_replies("test", "lobby"))
    link.start()
    try:
        with RunningAgent(config):
            assert online.wait(15), "the agent did not come online"
            request = {"title": "EVACUARE 09:41", "lines": ["09:02 Ștefania Țăran / Ion Popescu", "09:15 Jürgen Weiß"],
                       "footer": "Pe site: 2", "language": "ro", "request_id": "evac-1", "wait": 10}
            reply = link.commands.request("print_list", request, timeout=30)
            again = link.commands.request("print_list", request, timeout=30)
            bad = link.commands.request("print_list", {**request, "lines": ["x" * 201], "request_id": None},
                                        timeout=30)
    finally:
        link.stop()
        watcher.loop_stop()
        watcher.disconnect()
    assert reply["ok"] and reply["result"]["state"] == "printed", reply
    assert reply["result"]["receipt_number"] is None and again["result"]["duplicate"]
    assert bad["error"]["code"] == "invalid_request" and "200 characters" in bad["error"]["message"]
    printed = [job.text_rendering() for job in printer_sim.jobs if "EVACUARE" in job.text_rendering()]
    assert len(printed) == 1
    # Ș/Ț print as Ş/Ţ: no code page has the comma-below letters (docs/printing.md).
    assert "Ştefania Ţăran / Ion Popescu" in printed[0] and "Jürgen Weiß" in printed[0] and "Pe site: 2" in printed[0]
    assert "TOTAL" not in printed[0] and ledger == []
