"""Server-side bar charts: inline SVG geometry, the same numbers as a table, and xlsx.

No chart library and no script: a government intranet is closed, so a chart is
an SVG the template draws from the numbers here, followed by a table of the same
numbers and an export of them. Bars are horizontal, ranked as given, so that long
Chinese place names fit on a phone.
"""

from __future__ import annotations

import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.safestring import SafeString, mark_safe

from zhucun.workbooks.writing import SheetLayout, write_workbook

LABEL_WIDTH = 132
BAR_WIDTH = 250
VALUE_WIDTH = 62
ROW_HEIGHT = 24
TOP = 8


@dataclass(frozen=True)
class ChartRow:
    """One bar: its label, value (None: no data), link and extra table cells."""

    label: str
    value: Decimal | int | None
    url: str = ""
    extra: tuple = ()


@dataclass(frozen=True)
class Bar:
    label: str
    value: Decimal | int | None
    text: str
    url: str
    y: int
    width: int
    over: bool


@dataclass(frozen=True)
class BarChart:
    slug: str
    title: str
    value_label: str
    label_header: str
    percent: bool
    bars: list[Bar]
    extra_headers: tuple = ()
    rows: list[ChartRow] = field(default_factory=list)
    reference: Decimal | int | None = None
    reference_label: str = ""
    reference_x: int | None = None
    query: str = ""  # the export's query string (a ranking's measure)

    width: int = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    label_width: int = LABEL_WIDTH
    bar_x: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH

    @property
    def height(self) -> int:
        return TOP * 2 + ROW_HEIGHT * max(len(self.bars), 1)

    @property
    def value_x(self) -> int:
        return LABEL_WIDTH + BAR_WIDTH + 6

    @property
    def headers(self) -> list[str]:
        return [self.label_header, self.value_label, *self.extra_headers]

    @property
    def table(self) -> list[tuple[ChartRow, str]]:
        return [(row, bar.text) for row, bar in zip(self.rows, self.bars, strict=True)]

    # The rows' markup is made here rather than in the template: a province's page
    # draws some 200 bars and their table rows, and the template engine would
    # spend more time on them than the whole page may take. Every value is
    # escaped (``escape``).

    @property
    def svg_rows(self) -> SafeString:
        return mark_safe("\n".join(_svg_row(self, bar) for bar in self.bars))

    @property
    def table_rows(self) -> SafeString:
        return mark_safe("\n".join(_table_row(row, text) for row, text in self.table))


def escape(value) -> str:
    """HTML-escape a cell (Python's own, without Django's lazy-string wrapper)."""
    return html.escape(str(value), quote=True)


def _svg_row(chart: BarChart, bar: Bar) -> str:
    label, text = escape(bar.label), escape(bar.text)
    short = escape(_truncate(bar.label))
    y = bar.y
    row = (
        f'<text class="chart__label" x="{chart.label_width - 8}" y="{y + 16}"'
        f' text-anchor="end">{short}</text>'
        f'<rect class="chart__track" x="{chart.bar_x}" y="{y + 4}"'
        f' width="{chart.bar_width}" height="14" rx="2"></rect>'
        f'<rect class="chart__bar" x="{chart.bar_x}" y="{y + 4}" width="{bar.width}"'
        f' height="14" rx="2"><title>{label}：{text}</title></rect>'
        f'<text class="chart__value" x="{chart.value_x}" y="{y + 16}">{text}</text>'
    )
    if bar.url:
        row = f'<a href="{escape(bar.url)}">{row}</a>'
    over = " chart__row--over" if bar.over else ""
    return f'<g class="chart__row{over}">{row}</g>'


def _truncate(label: str, length: int = 9) -> str:
    """As the template filter truncatechars: at most ``length`` characters."""
    return label if len(label) <= length else label[: length - 1] + "…"


def _table_row(row: ChartRow, text: str) -> str:
    label = escape(row.label)
    if row.url:
        label = f'<a href="{escape(row.url)}">{label}</a>'
    cells = "".join(f'<td class="numeric">{escape(c)}</td>' for c in row.extra)
    return (
        f'<tr><th scope="row">{label}</th><td class="numeric">{escape(text)}</td>'
        f"{cells}</tr>"
    )


def format_value(value: Decimal | int | None, *, percent: bool) -> str:
    if value is None:
        return "—"
    if percent:
        shown = (Decimal(value) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return f"{shown}%"
    return f"{value}"


def bar_chart(
    *,
    slug: str,
    title: str,
    rows: Sequence[ChartRow],
    value_label: str,
    label_header: str,
    percent: bool = False,
    reference: Decimal | int | None = None,
    reference_label: str = "",
    extra_headers: Sequence[str] = (),
    query: str = "",
) -> BarChart:
    """Lay out ``rows`` as bars scaled to the largest value (1 = 100% for rates).

    A bar beyond ``reference`` (a cap such as the 20% of 优秀) is marked ``over``.
    """
    values = [Decimal(r.value) for r in rows if r.value is not None]
    top = max([*values, Decimal(reference or 0)], default=Decimal(0))
    if percent:
        top = max(top, Decimal(1))
    bars = []
    for index, row in enumerate(rows):
        width = 0
        if row.value is not None and top > 0:
            width = int((Decimal(row.value) / top * BAR_WIDTH).to_integral_value())
        bars.append(
            Bar(
                label=row.label,
                value=row.value,
                text=format_value(row.value, percent=percent),
                url=row.url,
                y=TOP + index * ROW_HEIGHT,
                width=width,
                over=reference is not None
                and row.value is not None
                and Decimal(row.value) > Decimal(reference),
            )
        )
    reference_x = None
    if reference is not None and top > 0:
        reference_x = LABEL_WIDTH + int(
            (Decimal(reference) / top * BAR_WIDTH).to_integral_value()
        )
    return BarChart(
        slug=slug,
        title=title,
        value_label=value_label,
        label_header=label_header,
        percent=percent,
        bars=bars,
        extra_headers=tuple(extra_headers),
        rows=list(rows),
        reference=reference,
        reference_label=reference_label,
        reference_x=reference_x,
        query=query,
    )


def chart_workbook(chart: BarChart) -> bytes:
    """The chart's table as an xlsx; text that looks like a formula stays text."""
    rows = []
    for row in chart.rows:
        value = row.value
        if chart.percent and value is not None:
            value = (Decimal(value) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
        rows.append([row.label, value, *row.extra])
    layout = SheetLayout(name=chart.title, headers=chart.headers, widths={0: 30})
    buffer = io.BytesIO()
    write_workbook(buffer, [(layout, rows)])
    return buffer.getvalue()
