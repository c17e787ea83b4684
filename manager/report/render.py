"""The report as one self-contained HTML file, and as a PDF made from that same HTML.

Jinja2 fills `templates/report.html` (its stylesheet `report.css` is inlined and
the charts are embedded as data: URIs, so the file can be mailed or archived on
its own). WeasyPrint lays the same HTML out on numbered A4 pages through the
stylesheet's print rules; it is pure Python over Pango, so it runs on the Pi.
"""

from __future__ import annotations

import logging
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from frontdesk.manager.report import charts
from frontdesk.manager.report.build import ReportData
from frontdesk.manager.report.formatting import BUCKET_WORDS, KIND_WORDS, Formats, formats_for, words
from frontdesk.manager.report.timeline import BUCKETS

FORMATS = ("html", "pdf")


def _css_string(text: str) -> str:
    """A CSS string literal (the running page header), safe inside a <style> element."""
    escaped = "".join(f"\\{ord(char):x} " if char in '\\"<>&\n' else char for char in text)
    return f'"{escaped}"'


def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("frontdesk.manager.report", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["css_string"] = _css_string
    environment.filters["words"] = words
    return environment


def site_label(data: ReportData) -> str:
    if not data.sites:
        return "all sites"
    return ("site " if len(data.sites) == 1 else "sites ") + ", ".join(data.sites)


def period_label(data: ReportData, f: Formats) -> str:
    period = data.period
    if period.first == period.last:
        return f.long_day(period.first)
    return f"{f.day(period.first)} – {f.day(period.last)}"


def report_basename(data: ReportData) -> str:
    where = "-".join(data.sites) if data.sites else "all-sites"
    return f"frontdesk-report-{where}-{data.period.first:%Y-%m-%d}-to-{data.period.last:%Y-%m-%d}"


def build_charts(data: ReportData, f: Formats) -> dict[str, charts.Chart]:
    """Only the charts that have something to show."""
    drawn: dict[str, charts.Chart] = {}
    if data.visitors.total:
        if data.period.days > 1:
            drawn["visitors_per_day"] = charts.visitors_per_day(data.visitors.per_day, f)
        drawn["visitors_per_hour"] = charts.visitors_per_hour(data.visitors.per_hour, f)
    if data.visitors.waiting.sign_ins_measured:
        drawn["sign_in_time"] = charts.sign_in_time_by_hour(data.visitors.waiting.sign_in_median_by_hour, f)
    for currency in data.receipts.totals:
        drawn[f"receipts_{currency}"] = charts.receipts_by_method(data.receipts.by_method, currency, f)
    if data.postage.by_class:
        drawn["postage"] = charts.postage_by_class(data.postage.by_class, f)
    observed = [device for device in data.devices.devices if sum(device.use.seconds.values())]
    if observed:
        drawn["availability"] = charts.availability_bars(observed, f)
    if any(row.count for row in data.devices.faults):
        drawn["faults"] = charts.faults_by_reason([row for row in data.devices.faults if row.count], f)
    return drawn


def render_html(data: ReportData, office, chart_format: str = "svg",
                drawn: dict[str, charts.Chart] | None = None) -> str:
    """The whole report as one HTML document; `chart_format` is "svg" or "png"."""
    f = formats_for(office)
    drawn = build_charts(data, f) if drawn is None else drawn
    template = _environment().get_template("report.html")
    return template.render(
        data=data, f=f, office=office, site=site_label(data), period=period_label(data, f),
        charts={name: {"src": chart.data_uri(chart_format), "alt": chart.alt} for name, chart in drawn.items()},
        buckets=BUCKETS, bucket_words=BUCKET_WORDS, kind_words=KIND_WORDS,
    )


def render_pdf(html: str) -> bytes:
    """The PDF of a report's HTML (A4, numbered pages, from the stylesheet's print rules)."""
    from weasyprint import HTML  # imported here: it loads Pango, which the HTML path never needs

    # fontTools and WeasyPrint log every subset font and unsupported property at INFO/WARNING.
    for name in ("fontTools", "weasyprint"):
        logging.getLogger(name).setLevel(logging.ERROR)
    return HTML(string=html).write_pdf()


def render_report(data: ReportData, office, formats: tuple[str, ...] = FORMATS) -> dict[str, bytes]:
    """The report's files by format: the HTML with SVG charts (sharp at any zoom in a
    browser), the PDF from the same template with 200 dpi PNG charts (WeasyPrint draws
    a matplotlib SVG several times slower than a PNG, which matters on a Pi)."""
    drawn = build_charts(data, formats_for(office))
    made: dict[str, bytes] = {}
    if "html" in formats:
        made["html"] = render_html(data, office, "svg", drawn).encode("utf-8")
    if "pdf" in formats:
        made["pdf"] = render_pdf(render_html(data, office, "png", drawn))
    return made


def write_report(data: ReportData, office, out_dir: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write the report in each format to `out_dir`; returns the files written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt, content in render_report(data, office, formats).items():
        path = out_dir / f"{report_basename(data)}.{fmt}"
        path.write_bytes(content)
        written.append(path)
    return written
