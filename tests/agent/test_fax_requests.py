"""A fax request_id is remembered on disk: a retry after an agent restart sends nothing twice."""

from frontdesk.agent.faxes import FaxOutbox


def test_a_fax_reply_is_remembered_across_a_restart(tmp_path):
    outbox = FaxOutbox(tmp_path / "fax-outbox", lambda *event: None)
    assert outbox.sent_before("fax-1") is None
    outbox.remember("fax-1", {"queue": "fax", "job": 12, "number": "+40213182400", "state": "submitted"})
    outbox.remember("fax-1", {"queue": "fax", "job": 99, "number": "+40213182400", "state": "submitted"})
    restarted = FaxOutbox(tmp_path / "fax-outbox", lambda *event: None)
    assert restarted.sent_before("fax-1")["job"] == 12  # the first reply, not the second
    assert restarted.sent_before("fax-2") is None
