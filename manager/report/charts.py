"""The report's charts, drawn with matplotlib's Agg canvas (no display needed on the Pi).

Each function returns a `Chart`: SVG text for the HTML page (vector, small, sharp
at any zoom) and PNG or SVG for the PDF. Figures are built on `Figure` objects,
never through pyplot's global state, so charts can be drawn from any thread.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from frontdesk.manager.report.formatting import BUCKET_WORDS, Formats, words
from frontdesk.manager.report.timeline import BUCKETS

CLOCK_STEPS = (5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)  # seconds
WIDTH = 7.0  # inches: the text width of an A4 page with 2 cm margins
INK, MUTED, ACCENT, ACCENT_LIGHT = "#1d2733", "#5b6675", "#1f5f8b", "#9fbdd4"
BUCKET_COLOURS = {"ok": "#2e7d32", "warning": "#f0a500", "error": "#c62828", "offline": "#7b3f99",
                  "agent_offline": "#78909c", "no_data": "#d9dde2"}
STYLE = {
    "font.family": "DejaVu Sans", "font.size": 9, "axes.edgecolor": "#b8c0ca", "axes.labelcolor": INK,
    "axes.titlesize": 10, "axes.titleweight": "bold", "axes.titlecolor": INK, "axes.titlelocation": "left",
    "axes.spines.top": False, "axes.spines.right": False, "xtick.color": MUTED, "ytick.color": MUTED,
    "axes.grid": True, "grid.color": "#e6e9ed", "grid.linewidth": 0.8, "axes.axisbelow": True,
    "svg.hashsalt": "frontdesk-report", "svg.fonttype": "path",
}


@dataclass(frozen=True)
class Chart:
    figure: Figure
    alt: str  # what the chart shows, for screen readers and the PDF's text layer

    def svg(self) -> str:
        buffer = io.StringIO()
        with matplotlib.rc_context(STYLE):
            self.figure.savefig(buffer, format="svg", metadata={"Date": None})
        return buffer.getvalue()

    def png(self, dpi: int = 200) -> bytes:
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=dpi)
        return buffer.getvalue()

    def data_uri(self, fmt: str = "svg") -> str:
        if fmt == "png":
            return "data:image/png;base64," + base64.b64encode(self.png()).decode("ascii")
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg().encode("utf-8")).decode("ascii")


def _figure(height: float) -> tuple[Figure, object]:
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(WIDTH, height), layout="constrained")
        FigureCanvasAgg(figure)
        axes = figure.add_subplot()
    return figure, axes


def _integer_axis(axis) -> None:
    axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=3))


def _label_bars(axes, bars, labels: list[str], horizontal: bool) -> None:
    for bar, label in zip(bars, labels):
        if horizontal:
            axes.annotate(label, (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(4, 0),
                          textcoords="offset points", va="center", fontsize=8, color=INK)
        elif bar.get_height():
            axes.annotate(label, (bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 2),
                          textcoords="offset points", ha="center", fontsize=7, color=INK)


def visitors_per_day(per_day: dict, f: Formats) -> Chart:
    with matplotlib.rc_context(STYLE):
        figure, axes = _figure(2.6)
        days = list(per_day)
        colours = [ACCENT_LIGHT if day.weekday() >= 5 else ACCENT for day in days]
        bars = axes.bar(range(len(days)), list(per_day.values()), color=colours, width=0.7)
        step = 1 if len(days) <= 16 else 2 if len(days) <= 32 else 7
        axes.set_xticks(range(0, len(days), step),
                        [f"{day:%a}\n{day.day}" if len(days) <= 16 else f"{day.day}/{day.month}"
                         for day in days[::step]])
        if len(days) <= 32:
            _label_bars(axes, bars, [f.number(value) for value in per_day.values()], horizontal=False)
        axes.set_ylabel("visitors signed in")
        axes.set_title("Visitors per day (weekends lighter)")
        axes.grid(axis="x", visible=False)
        _integer_axis(axes.yaxis)
        axes.margins(x=0.01, y=0.15)
    return Chart(figure, "Bar chart of visitors signed in per day")


def visitors_per_hour(per_hour: list[int], f: Formats) -> Chart:
    busy = [hour for hour, count in enumerate(per_hour) if count] or [9, 17]
    first, last = min(min(busy), 8), max(max(busy), 17)
    hours = list(range(first, last + 1))
    with matplotlib.rc_context(STYLE):
        figure, axes = _figure(2.4)
        bars = axes.bar(hours, [per_hour[hour] for hour in hours], color=ACCENT, width=0.75)
        _label_bars(axes, bars, [f.number(per_hour[hour]) for hour in hours], horizontal=False)
        axes.set_xticks(hours, [f"{hour:02d}" for hour in hours])
        axes.set_xlabel("hour of the day (office time; 09 = 09:00–09:59)")
        axes.set_ylabel("visitors signed in")
        axes.set_title("Sign-ins by hour of day, whole period")
        axes.grid(axis="x", visible=False)
        _integer_axis(axes.yaxis)
        axes.margins(y=0.15)
    return Chart(figure, "Bar chart of sign-ins by hour of the day")


def _clock(seconds: float) -> str:
    """'0:58', '2:08', '1:02:03': short enough to label narrow bars (the tables give words)."""
    minutes, secs = divmod(round(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def sign_in_time_by_hour(medians: list[float | None], f: Formats) -> Chart:
    """Median time to sign in by local hour of day; hours without a measured sign-in have no bar."""
    measured = [hour for hour, median in enumerate(medians) if median is not None]
    hours = list(range(min(min(measured), 8), max(max(measured), 17) + 1))
    values = [medians[hour] or 0.0 for hour in hours]
    with matplotlib.rc_context(STYLE):
        figure, axes = _figure(2.4)
        bars = axes.bar(hours, values, color=ACCENT, width=0.75)
        _label_bars(axes, bars, [_clock(medians[hour]) if medians[hour] is not None else "" for hour in hours],
                    horizontal=False)
        axes.set_xticks(hours, [f"{hour:02d}" for hour in hours])
        axes.set_xlabel("hour of the day (office time; 09 = 09:00–09:59)")
        axes.set_ylabel("median (min:s)")
        axes.yaxis.set_major_formatter(FuncFormatter(lambda value, _: _clock(value)))
        # Ticks on whole clock steps (0:30, 1:00 ...), not on the decimal ones matplotlib would pick.
        step = next((s for s in CLOCK_STEPS if max(values) / s <= 4), CLOCK_STEPS[-1])
        axes.yaxis.set_major_locator(MultipleLocator(step))
        axes.set_title("Time to sign in by hour of day (median), whole period")
        axes.grid(axis="x", visible=False)
        axes.margins(y=0.2)
    return Chart(figure, "Bar chart of the median time visitors took to sign in, by hour of the day")


def _barh(title: str, labels: list[str], values: list[float], notes: list[str], xlabel: str,
          colour: str | list[str] = ACCENT, money_axis: Formats | None = None) -> Figure:
    figure, axes = _figure(0.5 + 0.36 * max(len(labels), 2))
    positions = range(len(labels))
    bars = axes.barh(positions, values, color=colour, height=0.6)
    axes.set_yticks(positions, labels)
    axes.invert_yaxis()  # largest first, at the top
    _label_bars(axes, bars, notes, horizontal=True)
    axes.set_xlabel(xlabel)
    axes.set_title(title)
    axes.grid(axis="y", visible=False)
    if money_axis:
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: money_axis.number(value)))
    else:
        _integer_axis(axes.xaxis)
    axes.set_xlim(0, (max(values) if values and max(values) > 0 else 1) * 1.3)
    return figure


def receipts_by_method(rows, currency: str, f: Formats) -> Chart:
    rows = [row for row in rows if row.currency == currency]
    with matplotlib.rc_context(STYLE):
        figure = _barh(f"Takings by payment method ({currency})", [row.method for row in rows],
                       [float(row.amount) for row in rows],
                       [f"{f.money(row.amount, currency)} · {f.number(row.count)} receipts" for row in rows],
                       f"amount ({currency})", money_axis=f)
    return Chart(figure, f"Bar chart of takings in {currency} by payment method")


def postage_by_class(rows, f: Formats) -> Chart:
    with matplotlib.rc_context(STYLE):
        figure = _barh("Mail items by class", [f"{row.mail_class} ({row.carrier})" for row in rows],
                       [row.count for row in rows],
                       [f"{f.number(row.count)} · {f.money(row.amount, row.currency)}" for row in rows],
                       "items posted")
    return Chart(figure, "Bar chart of mail items by postage class")


def faults_by_reason(rows, f: Formats) -> Chart:
    colours = [BUCKET_COLOURS.get(row.health, ACCENT) for row in rows]
    with matplotlib.rc_context(STYLE):
        figure = _barh("How often each reason appeared", [words(row.reason) for row in rows], [row.count for row in rows],
                       [f"{f.number(row.count)} · active {f.duration(row.seconds)}" for row in rows],
                       "times the reason appeared", colour=colours)
    return Chart(figure, "Bar chart of device faults by reason")


def availability_bars(devices, f: Formats, most: int = 20) -> Chart:
    """One stacked bar per device; with many devices (an organisation's manager), only the
    `most` least available ones, so the chart still fits on a page."""
    title = "Time in each health, per device"
    if len(devices) > most:
        devices = sorted(devices, key=lambda device: (device.use.availability is None, device.use.availability or 0))
        title = f"Time in each health: the {most} least available of {len(devices)} devices"
        devices = devices[:most]
    many_sites = len({device.site for device in devices}) > 1
    labels = [f"{device.device} ({device.site + '/' if many_sites else ''}{device.agent})" for device in devices]
    with matplotlib.rc_context(STYLE):
        figure, axes = _figure(0.9 + 0.34 * max(len(devices), 2))
        left = [0.0] * len(devices)
        for bucket in BUCKETS:
            shares = [_share(device, bucket) for device in devices]
            if any(shares):
                axes.barh(range(len(devices)), shares, left=left, height=0.6, label=BUCKET_WORDS[bucket],
                          color=BUCKET_COLOURS[bucket])
                left = [base + share for base, share in zip(left, shares)]
        axes.set_yticks(range(len(devices)), labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:.0f} %"))
        axes.set_xlabel("share of the period")
        axes.set_title(title)
        axes.grid(axis="y", visible=False)
        figure.legend(loc="outside lower center", ncol=6, frameon=False, fontsize=8)
    return Chart(figure, "Stacked bar chart of each device's time in each health")


def _share(device, bucket: str) -> float:
    total = sum(device.use.seconds.values())
    return 100 * device.use.seconds[bucket] / total if total else 0.0
