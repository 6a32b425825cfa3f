"""The inline SVG bar charts: geometry, the 20% reference, the xlsx."""

import io
from decimal import Decimal

import openpyxl

from dashboards.charts import (
    BAR_WIDTH,
    LABEL_WIDTH,
    ChartRow,
    bar_chart,
    chart_workbook,
)


def test_bars_scale_to_the_largest_value():
    chart = bar_chart(
        slug="teams",
        title="工作队",
        rows=[ChartRow("甲", 10), ChartRow("乙", 5), ChartRow("丙", None)],
        value_label="工作队",
        label_header="地区",
    )
    assert [bar.width for bar in chart.bars] == [BAR_WIDTH, BAR_WIDTH // 2, 0]
    assert [bar.text for bar in chart.bars] == ["10", "5", "—"]
    assert chart.bars[1].y - chart.bars[0].y > 0


def test_rates_scale_to_one_hundred_percent_and_mark_bars_over_the_cap():
    chart = bar_chart(
        slug="grades",
        title="优秀比例",
        rows=[ChartRow("甲", Decimal("0.25")), ChartRow("乙", Decimal("0.2"))],
        value_label="比例",
        label_header="县",
        percent=True,
        reference=Decimal("0.2"),
    )
    assert [bar.text for bar in chart.bars] == ["25.0%", "20.0%"]
    assert [bar.over for bar in chart.bars] == [True, False]
    assert chart.reference_x == LABEL_WIDTH + BAR_WIDTH // 5


def test_the_workbook_holds_the_table_and_keeps_formulas_as_text():
    chart = bar_chart(
        slug="coverage",
        title="覆盖率",
        rows=[ChartRow("@SUM(A1)", Decimal("0.5"), extra=(1, 2))],
        value_label="覆盖率",
        label_header="地区",
        percent=True,
        extra_headers=("有队", "贫困村"),
    )
    sheet = openpyxl.load_workbook(io.BytesIO(chart_workbook(chart))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows == [("地区", "覆盖率", "有队", "贫困村"), ("@SUM(A1)", 50, 1, 2)]
    assert sheet["A2"].data_type == "s"


def test_rows_are_drawn_escaped_and_long_names_shortened():
    chart = bar_chart(
        slug="coverage",
        title="覆盖率",
        rows=[
            ChartRow("<b>阿坝藏族羌族自治州</b>", Decimal("0.5"), "/x/?a=1&b=2", (3,)),
            ChartRow("乙", None),
        ],
        value_label="覆盖率",
        label_header="地区",
        percent=True,
        query="measure=visits&by=county",
    )
    svg, table = str(chart.svg_rows), str(chart.table_rows)
    assert "<b>" not in svg and "<b>" not in table
    assert "&lt;b&gt;阿坝藏族羌…</text>" in svg  # nine characters, as truncatechars:9
    assert '<a href="/x/?a=1&amp;b=2">' in svg and '<a href="/x/?a=1&amp;b=2">' in table
    assert "<title>&lt;b&gt;阿坝藏族羌族自治州&lt;/b&gt;：50.0%</title>" in svg
    assert '<td class="numeric">50.0%</td><td class="numeric">3</td>' in table
    # A bar without a link is not an anchor; a place without data shows a dash.
    assert svg.count("<a ") == 1 and '<td class="numeric">—</td>' in table
    assert chart.query == "measure=visits&by=county"
