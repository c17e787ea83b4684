"""The report as HTML and as PDF: self-contained, complete, numbered A4 pages that show something.

The PDF is read back with pypdfium2: its text page by page, and each page rendered
to a PNG image (kept in $FRONTDESK_REPORT_PAGES when set, to look at).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
import pytest
import report_seed
from babel.numbers import format_currency
from report_seed import FIRST, LAST, NOW, report_config

from frontdesk.manager.history.store import open_engine
from frontdesk.manager.report.build import collect
from frontdesk.manager.report.period import Period
from frontdesk.manager.report.render import render_html, render_pdf

A4_POINTS = (595.28, 841.89)
SECTIONS = ["1. Visitors", "2. Day by day", "3. Receipts and postage", "4. Devices", "5. How the figures are made"]


def pdf_pages(path_or_bytes) -> list[tuple[str, object]]:
    """(text, page image) of every page."""
    document = pdfium.PdfDocument(path_or_bytes)
    try:
        pages = []
        for index in range(len(document)):
            page = document[index]
            assert page.get_size() == pytest.approx(A4_POINTS, abs=0.5)
            text = page.get_textpage().get_text_range()
            pages.append((text, page.render(scale=1.5).to_pil()))
        return pages
    finally:
        document.close()


def ink(image) -> float:
    """Share of the page that is not white."""
    histogram = image.convert("L").histogram()
    return sum(histogram[:235]) / sum(histogram)


@pytest.fixture(scope="session")
def pages(rendered):
    data, _, pdf = rendered
    found = pdf_pages(str(pdf))
    keep = os.environ.get("FRONTDESK_REPORT_PAGES")
    if keep:
        for number, (_, image) in enumerate(found, 1):
            image.save(Path(keep) / f"page-{number}.png")
    return found


def test_the_html_is_one_self_contained_file(rendered):
    _, html_path, _ = rendered
    html = html_path.read_text("utf-8")
    assert "<link" not in html and "<script" not in html
    sources = re.findall(r'src="([^"]*)"', html)
    assert len(sources) == 7 and all(src.startswith("data:image/svg+xml;base64,") for src in sources)
    assert all(alt for alt in re.findall(r'alt="([^"]*)"', html))
    for heading in SECTIONS:
        assert heading in html


def test_the_html_shows_the_figures_in_the_office_locale(rendered, seed):
    data, html_path, _ = rendered
    html = html_path.read_text("utf-8")
    receipts = [r for r in seed.receipts if r.site == "hq" and FIRST <= r.at.date() <= LAST]
    takings = format_currency(sum(r.total for r in receipts), "RON", locale="ro_RO")
    assert takings in html and "," in takings  # Romanian: decimal comma
    assert "Mon 19 Oct 2026 – Sun 1 Nov 2026" in html
    assert "Europe/Bucharest" in html
    assert "paper out" in html and "toner low" in html  # reasons in words
    assert "mail-scale" in html and "Still out of order" in html


def test_the_pdf_has_a_title_page_sections_and_numbered_pages(pages):
    total = len(pages)
    assert 5 <= total <= 10
    texts = [text for text, _ in pages]
    for number, text in enumerate(texts, 1):
        assert f"Page {number} of {total}" in text
    title = texts[0]
    assert "Front-office report" in title and "EXEMPLU SRL" in title and "site hq" in title  # name in capitals
    assert "Mon 19 Oct 2026 – Sun 1 Nov 2026" in title
    # The contents on the title page give the page each chapter starts on.
    for heading in SECTIONS:
        starts = next(number for number, text in enumerate(texts, 1) if heading in text and number > 1)
        name = heading.split(". ", 1)[1]
        assert re.search(re.escape(name) + r"[ .]*" + str(starts), title), (name, starts)
    assert all("Front-office report · site hq" in text for text in texts[1:])  # running header


def test_every_pdf_page_renders_with_content(pages):
    for number, (_, image) in enumerate(pages, 1):
        assert image.width > 800
        assert ink(image) > 0.01, f"page {number} is blank"
    chart_page = next(image for text, image in pages if "1. Visitors" in text)
    assert ink(chart_page) > 0.05  # two bar charts


def test_an_empty_period_still_makes_a_report_that_says_so(sqlite_history):
    period = Period(report_seed.date(2024, 2, 1), report_seed.date(2024, 2, 29), report_seed.TZ)
    engine = open_engine(sqlite_history)
    data = collect(engine, period, ("hq",), NOW)
    engine.dispose()
    html = render_html(data, report_config(sqlite_history, Path("/nonexistent")).office)
    assert "No activity was recorded in this period" in html and "<img" not in html
    texts = [text for text, _ in pdf_pages(render_pdf(html))]
    assert "No activity was recorded in this period" in texts[0]
    assert "No visitor signed in during this period" in "".join(texts)
    assert "Page 1 of" in texts[0]


def test_the_pdf_carries_the_seven_charts_as_images(rendered):
    data, _, pdf = rendered
    html = render_html(data, report_config("sqlite:///x", Path("/nonexistent")).office, chart_format="png")
    assert html.count("data:image/png;base64,") == 7
    document = pdfium.PdfDocument(str(pdf))
    try:
        images = [obj for index in range(len(document))
                  for obj in document[index].get_objects(filter=(pdfium_raw.FPDF_PAGEOBJ_IMAGE,))]
        assert len(images) == 7
        assert all(image.get_px_size()[0] >= 1200 for image in images)  # 7 inches at 200 dpi, not a thumbnail
    finally:
        document.close()
