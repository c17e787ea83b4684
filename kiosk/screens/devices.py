"""Staff: every device's health with its reasons in words, the copier and fax jobs, test print, tare."""

from __future__ import annotations

from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView

from frontdesk.contract.states import DeviceState
from frontdesk.kiosk.i18n import N_
from frontdesk.kiosk.screens.base import KioskScreen, on_ui_thread
from frontdesk.kiosk.screens.staff import report_print
from frontdesk.kiosk.screens.words import HEALTH, JOB_STATES, KINDS, reasons_in_words
from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.common import Panel, Text
from frontdesk.kiosk.widgets.theme import u

JOB_ACTIONS = {"job_cancel": N_("Cancel"), "job_hold": N_("Hold"), "job_release": N_("Release")}
ROW = 58


class DevicesScreen(KioskScreen):
    def __init__(self, app) -> None:
        super().__init__(app, "devices")
        self.queue: str | None = None  # the queue whose jobs are shown
        self.jobs: list[dict] = []
        cfg = app.cfg  # the kiosk reads the same config file as the agent: it knows the devices' names
        self.names = {device.id: device.name for device in [*cfg.printer, *cfg.scale, *cfg.queue] if device.name}
        root = self.page()
        root.add_widget(self.header(N_("Devices"), back=lambda: self.go("staff")))
        self.rows = GridLayout(cols=1, spacing=u(6), size_hint_y=None, padding=[u(12), 0])
        self.rows.bind(minimum_height=self.rows.setter("height"))
        scroller = ScrollView(do_scroll_x=False, bar_width=u(8), scroll_type=["bars", "content"])
        scroller.add_widget(self.rows)
        root.add_widget(scroller)
        self.status = self.label("", ref="devices.status", kind="small", size_hint_y=None, height=u(34),
                                 padding=[u(14), 0])
        root.add_widget(self.status)
        self.tr.on_switch(lambda _language: self.refresh())

    def on_pre_enter(self, *args) -> None:
        self.queue, self.jobs = None, []
        self.refresh()

    def on_link(self, kind: str) -> None:
        if kind in ("agent", "devices") and self.manager and self.manager.current == self.name:
            self.refresh()

    def refresh(self) -> None:
        self.rows.clear_widgets()
        link = self.app.link
        if not link.agent_online:
            self.rows.add_widget(self._line(N_("The device agent is not reachable: the states shown may be old."),
                                            theme.DANGER))
        for device_id, state in sorted(link.devices.items()):
            self.rows.add_widget(self._device_row(device_id, state))
            if device_id == self.queue:
                for job in self.jobs:
                    self.rows.add_widget(self._job_row(job))
                if not self.jobs:
                    self.rows.add_widget(self._line(N_("No jobs waiting."), theme.MUTED))
        if not link.devices:
            self.rows.add_widget(self._line(N_("No devices reported yet."), theme.MUTED))

    def _line(self, message: str, colour) -> Text:
        text = Text(kind="small", color=colour, size_hint_y=None, height=u(34))
        text.text = self.t(message)
        return text

    def _device_row(self, device_id: str, state: DeviceState) -> Panel:
        kind, health = state.kind, state.health
        line = Panel(orientation="horizontal", size_hint_y=None, height=u(ROW), padding=[u(10), u(5)],
                     spacing=u(10))
        label = self.names.get(device_id) or device_id
        name = Text(kind="body", size_hint_x=0.3, text=f"{label}\n{self.t(KINDS.get(kind, kind)) if kind else ''}")
        name.bold = True
        line.add_widget(name)
        words = reasons_in_words(self.tr, state.reasons)
        condition = Text(kind="small", size_hint_x=0.4, color=theme.HEALTH_COLOURS.get(health, theme.MUTED),
                         text=self.t(HEALTH.get(health, health)) + (f": {words}" if words else ""))
        condition.ref = f"devices.health.{device_id}"
        line.add_widget(condition)
        action = {"printer": (N_("Test print"), lambda: self.test_print(device_id)),
                  "scale": (N_("Tare"), lambda: self.tare(device_id))}.get(kind)
        if kind in ("copier", "fax"):
            action = (N_("Jobs"), lambda: self.show_jobs(device_id))
        if action:
            line.add_widget(self.button(action[0], action[1], ref=f"devices.action.{device_id}", style="secondary",
                                        size_hint_x=0.3, kind="small"))
        return line

    def _job_row(self, job: dict) -> Panel:
        line = Panel(colour=theme.BACKGROUND, orientation="horizontal", size_hint_y=None, height=u(ROW - 8),
                     padding=[u(30), u(4), u(4), u(4)], spacing=u(8))
        state = self.t(JOB_STATES.get(job.get("state", ""), job.get("state", "")))
        line.add_widget(Text(kind="small", size_hint_x=0.55,
                             text=f"#{job['id']} {job.get('title') or ''} · {job.get('owner') or ''} · {state}"))
        for command, message in JOB_ACTIONS.items():
            line.add_widget(self.button(message, lambda c=command: self.act_on_job(c, job["id"]),
                                        ref=f"devices.{command}.{job['id']}", style="secondary", kind="small",
                                        size_hint_x=0.15))
        return line

    def show_jobs(self, queue: str) -> None:
        self.queue = queue
        on_ui_thread(self.app.link.command("queue_status", {"queue": queue}, timeout=10),
                     lambda reply: self._jobs(queue, reply))

    def _jobs(self, queue: str, reply: dict) -> None:
        if queue != self.queue:
            return
        if not reply.get("ok"):
            self.jobs = []
            self.say(N_("Could not read the jobs: {reason}"), theme.DANGER, reason=reply["error"]["message"])
        else:
            self.jobs = [job for job in reply["result"].get("jobs", [])
                         if job.get("state") not in ("completed", "canceled", "aborted")]
        self.refresh()

    def act_on_job(self, command: str, job: int) -> None:
        queue = self.queue
        on_ui_thread(self.app.link.command(command, {"job": job, "queue": queue}, timeout=10),
                     lambda reply: self._acted(reply, queue))

    def _acted(self, reply: dict, queue: str) -> None:
        if reply.get("ok"):
            self.say(N_("Done."), theme.SUCCESS)
        else:
            self.say(N_("Not done: {reason}"), theme.DANGER, reason=reply["error"]["message"])
        self.show_jobs(queue)

    def test_print(self, printer: str) -> None:
        self.say(N_("Printing …"))
        on_ui_thread(self.app.link.command("printer_test", {"printer": printer}, timeout=15),
                     lambda reply: self.say(N_("Test page printed."), theme.SUCCESS) if reply.get("ok")
                     else report_print(self, reply, ""))

    def tare(self, scale: str) -> None:
        on_ui_thread(self.app.link.command("scale_tare", {"scale": scale}, timeout=10),
                     lambda reply: self.say(N_("Scale set to zero."), theme.SUCCESS) if reply.get("ok")
                     else self.say(N_("Tare failed: {reason}"), theme.DANGER, reason=reply["error"]["message"]))

    def say(self, message: str, colour=theme.TEXT, **params) -> None:
        self.tr.bind(self.status, "text", message, **params)
        self.status.color = colour

    def reset(self) -> None:
        self.queue, self.jobs = None, []
        self.tr.unbind(self.status)
        self.status.text = ""
