"""The staff area (behind the PIN): the menu, today's visitors, the evacuation list, CSV export."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path

from kivy.uix.gridlayout import GridLayout
from kivy.uix.scrollview import ScrollView

from frontdesk.contract import clock
from frontdesk.kiosk.i18n import N_
from frontdesk.kiosk.inputs import usb_stick
from frontdesk.kiosk.screens.base import KioskScreen, on_ui_thread
from frontdesk.kiosk.widgets import theme
from frontdesk.kiosk.widgets.common import Panel, Text, row
from frontdesk.kiosk.widgets.theme import font, u


class StaffMenuScreen(KioskScreen):
    def __init__(self, app) -> None:
        super().__init__(app, "staff")
        root = self.page()
        root.add_widget(self.header(N_("Staff area"), back=app.reset_to_welcome))
        grid = GridLayout(cols=3, spacing=u(12), padding=[u(16), u(6)])
        entries = [
            (N_("Payment receipt"), lambda: self.go("receipt"), "staff.receipt", "primary"),
            (N_("Weigh mail"), lambda: self.go("mail"), "staff.mail", "primary"),
            (N_("Devices"), lambda: self.go("devices"), "staff.devices", "primary"),
            (N_("Today’s visitors"), lambda: self.go("visitors"), "staff.visitors", "secondary"),
            (N_("Print evacuation list"), lambda: print_evacuation_list(self), "staff.evacuation", "danger"),
            (N_("Export visitor log (CSV)"), lambda: export_visitors(self), "staff.export", "secondary"),
        ]
        for message, action, ref, style in entries:
            grid.add_widget(self.button(message, action, ref=ref, style=style, font_size=font("button")))
        root.add_widget(grid)
        self.status = self.label("", ref="staff.status", kind="small", halign="center", size_hint_y=None,
                                 height=u(44))
        lock = self.button(N_("Lock"), app.reset_to_welcome, ref="staff.lock", style="secondary",
                           size_hint_x=None, width=u(170))
        close = self.button(N_("Close the kiosk app"), app.close_kiosk, ref="staff.close", style="quiet",
                            size_hint_x=None, width=u(240), kind="small")
        root.add_widget(row(close, self.status, lock, height=u(56), padding=[u(16), 0]))

    def say(self, message: str, colour=theme.TEXT, **params) -> None:
        self.tr.bind(self.status, "text", message, **params)
        self.status.color = colour

    def reset(self) -> None:
        self.tr.unbind(self.status)
        self.status.text = ""


def print_evacuation_list(screen: KioskScreen) -> None:
    """Everyone on site now, printed on the receipt printer in one tap (the agent's print_list)."""
    app = screen.app
    people = app.visits.on_site()
    now = clock.now().astimezone(app.timezone).strftime("%H:%M")
    heading = screen.t(N_("EVACUATION LIST {time} · on site: {count}"), time=now, count=len(people))
    lines = []
    for visit in people:
        since = visit.signed_in_at.astimezone(app.timezone).strftime("%H:%M")
        who = ", ".join(part for part in (visit.name, visit.company) if part)
        who += f" / {visit.host}" if visit.host else ""
        lines.append(f"{since} {who}"[:200])
    screen.say(N_("Printing the evacuation list …"))
    payload = {"title": heading[:80], "lines": lines, "language": app.tr.language, "wait": 10}
    on_ui_thread(app.link.command("print_list", payload, timeout=15),
                 lambda reply: report_print(screen, reply, N_("Evacuation list printed (on site: {count})."),
                                            count=len(people)))


def report_print(screen: KioskScreen, reply: dict, success: str, **params) -> None:
    """Says how a print went: printed, waiting for the printer, or why not."""
    if reply.get("ok") and reply["result"].get("state") in ("printed", "sent"):
        screen.say(success, theme.SUCCESS, **params)
    elif reply.get("ok"):
        screen.say(N_("Queued: it prints when the printer is ready ({reason})."), theme.WARNING,
                   reason=reply["result"].get("last_error") or "-")
    else:
        screen.say(N_("Not printed: {reason}"), theme.DANGER, reason=reply["error"]["message"])


def export_visitors(screen: KioskScreen) -> None:
    """The visitor log as CSV onto a USB stick, or into the kiosk's data folder without one."""
    app = screen.app
    folder = usb_stick() or Path(app.cfg.kiosk.data_dir) / "exports"
    stamp = clock.now().astimezone(app.timezone).strftime("%Y-%m-%d-%H%M")
    path = folder / f"visitors-{app.cfg.kiosk.id}-{stamp}.csv"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as out:
            count = app.visits.export_csv(out)
    except OSError as error:
        screen.say(N_("Could not write the file: {reason}"), theme.DANGER, reason=error.strerror or str(error))
        return
    screen.say(N_("Visits written: {count}. File: {path}"), theme.SUCCESS, count=count, path=str(path))


class VisitorsScreen(KioskScreen):
    """Today's visits, who is still on site, and the same two actions as the menu."""

    def __init__(self, app) -> None:
        super().__init__(app, "visitors")
        root = self.page()
        bar = self.header(N_("Today’s visitors"), back=lambda: self.go("staff"))
        bar.add_widget(self.button(N_("Print evacuation list"), lambda: print_evacuation_list(self),
                                   ref="visitors.evacuation", style="danger", size_hint_x=None, width=u(250),
                                   kind="small"))
        root.add_widget(bar)
        self.summary = self.label("", ref="visitors.summary", size_hint_y=None, height=u(30), padding=[u(14), 0])
        root.add_widget(self.summary)
        self.rows = GridLayout(cols=1, spacing=u(4), size_hint_y=None, padding=[u(14), 0])
        self.rows.bind(minimum_height=self.rows.setter("height"))
        scroller = ScrollView(do_scroll_x=False, bar_width=u(8), scroll_type=["bars", "content"])
        scroller.add_widget(self.rows)
        root.add_widget(scroller)
        self.status = self.label("", ref="visitors.status", kind="small", size_hint_y=None, height=u(30),
                                 padding=[u(14), 0])
        root.add_widget(self.status)
        self.tr.on_switch(lambda _language: self.refresh() if self.manager and self.manager.current == self.name
                          else None)

    def on_pre_enter(self, *args) -> None:
        self.refresh()

    def refresh(self) -> None:
        tz = self.app.timezone
        now = clock.now()
        start = datetime.combine(now.astimezone(tz).date(), time(0), tz).astimezone(UTC)
        visits = self.app.visits.visits_between(start, now)
        on_site = sum(1 for visit in visits if visit.signed_out_at is None)
        self.tr.bind(self.summary, "text", N_("Visits today: {count} · still on site: {on_site}"),
                     count=len(visits), on_site=on_site)
        self.rows.clear_widgets()
        for visit in visits:
            arrived = visit.signed_in_at.astimezone(tz).strftime("%H:%M")
            left = visit.signed_out_at.astimezone(tz).strftime("%H:%M") if visit.signed_out_at else ""
            line = Panel(orientation="horizontal", size_hint_y=None, height=u(40), padding=[u(8), 0],
                         spacing=u(8))
            line.add_widget(Text(text=f"{arrived}–{left}", size_hint_x=0.16, kind="small"))
            line.add_widget(Text(text=f"#{visit.badge_number}", size_hint_x=0.08, kind="small",
                                 color=theme.MUTED))
            who = visit.name + (f" ({visit.company})" if visit.company else "")
            line.add_widget(Text(text=who, size_hint_x=0.46, kind="small"))
            line.add_widget(Text(text=visit.host or "", size_hint_x=0.3, kind="small",
                                 color=theme.MUTED))
            self.rows.add_widget(line)

    def say(self, message: str, colour=theme.TEXT, **params) -> None:
        self.tr.bind(self.status, "text", message, **params)
        self.status.color = colour

    def reset(self) -> None:
        self.rows.clear_widgets()
        self.tr.unbind(self.status)
        self.status.text = ""


def staff_screens(app) -> list[KioskScreen]:
    from frontdesk.kiosk.screens.devices import DevicesScreen
    from frontdesk.kiosk.screens.mail import MailScreen
    from frontdesk.kiosk.screens.pin import PinScreen
    from frontdesk.kiosk.screens.receipt import ReceiptScreen

    return [PinScreen(app), StaffMenuScreen(app), VisitorsScreen(app), ReceiptScreen(app), MailScreen(app),
            DevicesScreen(app)]
