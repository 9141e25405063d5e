"""PDF documents with WeasyPrint: an HTML template per report in the administrative layout."""

from __future__ import annotations

import logging
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation

from ..generators import DATE, DECIMAL, INT, PERCENT, TEXT, Chart, Column, Table, today_line

CONTENT_TYPE = "application/pdf"
# WeasyPrint logs every rendering step at INFO, which would bury the worker's own log lines.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
CHART_WIDTH, LABEL_WIDTH, BAR_HEIGHT, BAR_GAP = 520, 190, 15, 7
COLOURS = ("#1b6e3c", "#3c8dbc", "#e0a100", "#c0392b", "#8a8f98")


def _refuse(url: str, *args, **kwargs):
    """Every text in a report is escaped, yet nothing a report shows is ever fetched."""
    raise ValueError(f"Reports fetch no external resources: {url}")


def cell_text(value, kind: str = TEXT) -> str:
    """A value as Vietnamese documents print it: 1.234,50 · 12,5% · 05/04/2026."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "Có" if value else "Không"
    if isinstance(value, datetime | date):
        return value.strftime("%d/%m/%Y")
    if kind == PERCENT:
        return _number(Decimal(str(value)) * 100, 1) + "%"
    if kind == INT or isinstance(value, int):
        return _number(value, 0)
    if kind == DECIMAL or isinstance(value, Decimal | float):
        return _number(value, 2)
    return str(value)


def _number(value, places: int) -> str:
    """Rounded half up first: Django's number formatting truncates extra digits."""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    with translation.override("vi"):
        return formats.number_format(rounded, places, use_l10n=True, force_grouping=True)


def _widths(columns: list[Column]) -> list[str]:
    """Each column's share of the page, from the widths the generator gives for Excel."""
    total = sum(column.width for column in columns) or 1
    return [f"{100 * column.width / total:.1f}%" for column in columns]


def _rows(columns: list[Column], rows) -> list[list[dict]]:
    return [
        [
            {"text": cell_text(value, column.kind), "numeric": column.kind not in (TEXT, DATE)}
            for value, column in zip(row, columns, strict=False)
        ]
        for row in rows
    ]


def _chart_value(value: float) -> str:
    return _number(value, 1).removesuffix(",0")


def chart_geometry(chart: Chart) -> dict:
    """Bar positions in SVG units, computed here so the template only places them."""
    top = max((value for _label, value in chart.bars), default=0) or 1
    area = CHART_WIDTH - LABEL_WIDTH - 60
    bars = []
    for index, (label, value) in enumerate(chart.bars):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = int(area * value / top)
        bars.append(
            {
                "label": label,
                "y": y,
                "text_y": y + BAR_HEIGHT - 3,
                "width": width,
                "value_x": LABEL_WIDTH + width + 4,
                "value": _chart_value(value) + chart.suffix,
                "colour": COLOURS[index % len(COLOURS)] if chart.by_band else COLOURS[1],
            }
        )
    return {
        "title": chart.title,
        "bars": bars,
        "width": CHART_WIDTH,
        "height": max(1, len(bars)) * (BAR_HEIGHT + BAR_GAP),
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
    }


def render(template: str, table: Table, *, on: date | None = None) -> bytes:
    """The report's template filled with the table, rendered to PDF bytes."""
    context = {
        "doc": table,
        "rows": _rows(table.columns, table.rows),
        "widths": _widths(table.columns),
        "parts": [
            {
                "title": part.title,
                "columns": part.columns,
                "rows": _rows(part.columns, part.rows),
                "widths": _widths(part.columns),
            }
            for part in table.parts
        ],
        "charts": [chart_geometry(chart) for chart in table.charts],
        "date_line": today_line(on),
    }
    from weasyprint import HTML  # heavy (it parses its stylesheets on import): workers only

    with translation.override("vi"):
        html = render_to_string(f"reports/pdf/{template}.html", context)
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_refuse).write_pdf()
