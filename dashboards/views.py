"""The dashboards (province, prefecture, county), the county workbench, the township page.

A region outside the user's scope answers 404, as every scoped page does.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.selectors import Summary, finding_summary, snapshot_status
from compliance.services import refresh_target
from dashboards import selectors
from dashboards.charts import BarChart, ChartRow, bar_chart, chart_workbook
from villages.models import Region
from zhucun import clock
from zhucun.pages import xlsx_attachment
from zhucun.periods import Quarter, month_code
from zhucun.policy import Thresholds

MISSING = gettext_lazy("记录不存在或不在您的管辖范围内。")


def _region_or_404(user, code: str, levels) -> Region:
    try:
        return selectors.region_get(user=user, code=code, levels=levels)
    except Region.DoesNotExist:
        raise Http404(MISSING) from None


def _child_url(region: Region) -> str:
    """Where a row of a region's drill-down leads: the next dashboard or page.

    Kept on the region object: a province's page links each place from several
    charts, and ``reverse`` is not free.
    """
    url = getattr(region, "_dashboard_url", None)
    if url is None:
        name = (
            "dashboards:township"
            if region.level == Region.Level.TOWNSHIP
            else "dashboards:region"
        )
        url = region._dashboard_url = reverse(name, args=[region.code])
    return url


def _ratio(part, whole) -> Decimal | None:
    return Decimal(part) / Decimal(whole) if whole else None


def _ranking(region: Region, places, params) -> tuple[BarChart, dict]:
    """The children (or, on the province's page, every county) ranked by a measure."""
    measure = params.get("measure")
    if measure not in MEASURES:
        measure = "coverage"
    by = ""
    if region.level == Region.Level.PROVINCE and params.get("by") == "county":
        by = "county"
    rows = places.counties if by else places.rows
    label, value, extra, headers = MEASURES[measure]
    label, headers = str(label), tuple(str(h) for h in headers)
    quarter = Quarter.of(clock.today()).number
    ranked = sorted(
        rows,
        key=lambda r: (
            value(r, quarter) is None,
            -(value(r, quarter) or 0),
            r.region.code,
        ),
    )
    query = {"measure": measure, **({"by": by} if by else {})}
    chart = bar_chart(
        slug="ranking",
        title=_("排名：%(measure)s") % {"measure": label},
        rows=[
            ChartRow(
                r.region.name,
                value(r, quarter),
                _child_url(r.region),
                extra(r, quarter),
            )
            for r in ranked
        ],
        value_label=label,
        label_header=_("县（市、区）") if by else _child_header(region),
        percent=True,
        extra_headers=headers,
        query=urlencode(query),
    )
    return chart, {"measure": measure, "by": by}


def _child_header(region: Region) -> str:
    return {
        Region.Level.PROVINCE: _("市（州）"),
        Region.Level.PREFECTURE: _("县（市、区）"),
        Region.Level.COUNTY: _("乡（镇）"),
    }[Region.Level(region.level)]


# The measures a ranking may be by: label, value, table cells and their headers.
MEASURES = {
    "coverage": (
        gettext_lazy("驻村覆盖率"),
        lambda r, q: r.coverage,
        lambda r, q: (r.covered_villages, r.poor_villages),
        (gettext_lazy("有工作队的村"), gettext_lazy("贫困村")),
    ),
    "visits": (
        gettext_lazy("本季度入户走访覆盖率"),
        lambda r, q: r.visits(q),
        lambda r, q: (r.visit_done[q - 1], r.visit_households[q - 1]),
        (gettext_lazy("已走访农户"), gettext_lazy("应走访农户")),
    ),
    "training": (
        gettext_lazy("培训达标率"),
        lambda r, q: r.training,
        lambda r, q: (r.trained, r.served),
        (gettext_lazy("达标队员"), gettext_lazy("年内在任队员")),
    ),
    "funds": (
        gettext_lazy("工作经费到位率"),
        lambda r, q: r.funding,
        lambda r, q: (r.funds_received, r.funds_required),
        (gettext_lazy("已到位（元）"), gettext_lazy("应到位（元）")),
    ),
}


@dataclass(frozen=True)
class ChartData:
    """What a region's charts draw from, read once per page."""

    region: Region
    places: selectors.Places
    attendance: selectors.AttendanceMonths
    summary: Summary
    child_header: str
    today: datetime.date
    thresholds: Thresholds

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.today)


@dataclass(frozen=True)
class ChartSpec:
    """One chart of a region's dashboard: which rows it draws and how.

    ``rows`` selects what the chart draws from the page's data, ``row`` builds one
    bar of it; ``title``, ``label_header`` and ``reference`` may depend on the data.
    An ``optional`` chart is left out when it has no rows.
    """

    slug: str
    title: Callable[[ChartData], str]
    rows: Callable[[ChartData], Iterable]
    row: Callable[[ChartData, Any], ChartRow]
    value_label: Any
    label_header: Callable[[ChartData], str]
    extra_headers: tuple = ()
    percent: bool = True
    reference: Callable[[ChartData], Decimal] | None = None
    reference_label: Any = ""
    optional: bool = False

    def build(self, data: ChartData) -> BarChart | None:
        rows = list(self.rows(data))
        if self.optional and not rows:
            return None
        return bar_chart(
            slug=self.slug,
            title=self.title(data),
            rows=[self.row(data, r) for r in rows],
            value_label=str(self.value_label),
            label_header=str(self.label_header(data)),
            percent=self.percent,
            extra_headers=tuple(str(h) for h in self.extra_headers),
            **(
                {
                    "reference": self.reference(data),
                    "reference_label": str(self.reference_label),
                }
                if self.reference
                else {}
            ),
        )


def _place_row(value, *cells):
    """A builder of one bar per child region: its value and table cells."""
    return lambda data, r: ChartRow(
        r.region.name, value(r), _child_url(r.region), tuple(c(r) for c in cells)
    )


def _children(data: ChartData) -> str:
    return data.child_header


def _compliance_url(data: ChartData, code: str) -> str:
    return (
        reverse("compliance:findings")
        + "?"
        + urlencode({"rule": code, "region": data.region.code})
    )


# The charts of a region's dashboard, in the order of the page and the export.
REGION_CHARTS = (
    ChartSpec(
        slug="coverage",
        title=lambda d: _("驻村覆盖率（有在驻工作队的贫困村 / 建档立卡贫困村）"),
        rows=lambda d: sorted(
            d.places.rows,
            key=lambda r: (r.coverage is None, r.coverage or 0, r.region.code),
        ),
        row=_place_row(
            lambda r: r.coverage,
            lambda r: r.covered_villages,
            lambda r: r.poor_villages,
        ),
        value_label=gettext_lazy("覆盖率"),
        label_header=_children,
        extra_headers=(gettext_lazy("有工作队的村"), gettext_lazy("贫困村")),
    ),
    ChartSpec(
        slug="teams",
        title=lambda d: _("在驻工作队和在任队员"),
        rows=lambda d: d.places.rows,
        row=_place_row(lambda r: r.teams, lambda r: r.members, lambda r: r.small_teams),
        value_label=gettext_lazy("工作队"),
        label_header=_children,
        percent=False,
        extra_headers=(gettext_lazy("队员"), gettext_lazy("人数不足的工作队")),
    ),
    ChartSpec(
        slug="liangshan",
        title=lambda d: (
            _("凉山州工作队人数在%(low)s至%(high)s人之间的比例")
            % {
                "low": d.thresholds.liangshan_min_members,
                "high": d.thresholds.liangshan_max_members,
            }
        ),
        rows=lambda d: [r for r in d.places.rows if r.liangshan_teams],
        row=_place_row(
            lambda r: r.liangshan_in_range / r.liangshan_teams,
            lambda r: r.liangshan_in_range,
            lambda r: r.liangshan_teams,
        ),
        value_label=gettext_lazy("比例"),
        label_header=_children,
        extra_headers=(
            gettext_lazy("人数达标的工作队"),
            gettext_lazy("凉山州工作队"),
        ),
        optional=True,
    ),
    ChartSpec(
        slug="attendance",
        title=lambda d: _("月度在岗率"),
        rows=lambda d: d.attendance.rows,
        row=lambda d, row: ChartRow(
            f"{row.month:%Y-%m}",
            row.rate,
            "",
            (row.in_post_days, row.days_possible),
        ),
        value_label=gettext_lazy("在岗率"),
        label_header=lambda d: _("月份"),
        extra_headers=(gettext_lazy("在岗天数"), gettext_lazy("应在岗天数")),
    ),
    ChartSpec(
        slug="visits",
        title=lambda d: (
            _("%(quarter)s入户走访覆盖率（已走访农户 / 在驻工作队所在村农户）")
            % {"quarter": d.quarter.display}
        ),
        rows=lambda d: d.places.rows,
        row=lambda d, r: ChartRow(
            r.region.name,
            r.visits(d.quarter.number),
            _child_url(r.region),
            (
                r.visit_done[d.quarter.number - 1],
                r.visit_households[d.quarter.number - 1],
            ),
        ),
        value_label=gettext_lazy("走访覆盖率"),
        label_header=_children,
        extra_headers=(gettext_lazy("已走访农户"), gettext_lazy("应走访农户")),
    ),
    ChartSpec(
        slug="visit-quarters",
        title=lambda d: _("%(year)s年各季度入户走访覆盖率") % {"year": d.today.year},
        rows=lambda d: range(1, d.quarter.number + 1),
        row=lambda d, n: ChartRow(
            Quarter(d.today.year, n).display,
            d.places.total.visits(n),
            "",
            (
                d.places.total.visit_done[n - 1],
                d.places.total.visit_households[n - 1],
            ),
        ),
        value_label=gettext_lazy("走访覆盖率"),
        label_header=lambda d: _("季度"),
        extra_headers=(gettext_lazy("已走访农户"), gettext_lazy("应走访农户")),
    ),
    ChartSpec(
        slug="training",
        title=lambda d: (
            _("%(year)s年培训达标率（累计参训满%(days)s天的队员 / 年内在任队员）")
            % {"year": d.today.year, "days": d.thresholds.training_days_min}
        ),
        rows=lambda d: d.places.rows,
        row=_place_row(lambda r: r.training, lambda r: r.trained, lambda r: r.served),
        value_label=gettext_lazy("达标率"),
        label_header=_children,
        extra_headers=(gettext_lazy("达标队员"), gettext_lazy("年内在任队员")),
    ),
    ChartSpec(
        slug="funds",
        title=lambda d: (
            _("%(year)s年工作经费到位率（已到位经费 / 每队每年%(minimum)s元）")
            % {
                "year": d.today.year,
                "minimum": f"{d.thresholds.funding_min_yuan:,.0f}",
            }
        ),
        rows=lambda d: d.places.rows,
        row=_place_row(
            lambda r: r.funding,
            lambda r: r.funds_received,
            lambda r: r.funds_required,
            lambda r: r.funds_short,
        ),
        value_label=gettext_lazy("到位率"),
        label_header=_children,
        extra_headers=(
            gettext_lazy("已到位（元）"),
            gettext_lazy("应到位（元）"),
            gettext_lazy("未达标的工作队"),
        ),
    ),
    ChartSpec(
        slug="grades",
        title=lambda d: (
            _("%(year)s年度考核优秀比例（上限%(cap)s%%）")
            % {
                "year": d.today.year,
                "cap": int(d.thresholds.excellent_cap_ratio * 100),
            }
        ),
        rows=lambda d: (
            [d.places.total] if d.region.level == Region.Level.COUNTY else d.places.rows
        ),
        row=lambda d, r: ChartRow(
            r.region.name,
            _ratio(r.cap_excellent, r.cap_members),
            _child_url(r.region) if r.region != d.region else "",
            (r.cap_excellent, r.cap_members),
        ),
        value_label=gettext_lazy("优秀比例"),
        label_header=lambda d: _("地区"),
        reference=lambda d: d.thresholds.excellent_cap_ratio,
        reference_label=gettext_lazy("上限"),
        extra_headers=(
            gettext_lazy("优秀"),
            gettext_lazy("参加考核队员（不含第一书记）"),
        ),
    ),
    ChartSpec(
        slug="compliance",
        title=lambda d: _("合规检查问题（按规则）"),
        rows=lambda d: [
            r for r in sorted(d.summary.rows, key=lambda r: -r.count) if r.count
        ],
        row=lambda d, r: ChartRow(
            f"{r.code} {r.title}",
            r.count,
            _compliance_url(d, r.code),
            (r.error, r.warning),
        ),
        value_label=gettext_lazy("问题数"),
        label_header=lambda d: _("规则"),
        percent=False,
        extra_headers=(gettext_lazy("错误"), gettext_lazy("警告")),
    ),
)


def _charts(user, region: Region, params=None) -> dict:
    """Every chart of a region's dashboard, by slug (the page and the export)."""
    places = selectors.place_rows(user=user, region=region)
    data = ChartData(
        region=region,
        places=places,
        attendance=selectors.attendance_months(user=user, region=region),
        summary=finding_summary(user=user, within=region),
        child_header=_child_header(region),
        today=clock.today(),
        thresholds=Thresholds.from_settings(),
    )
    charts = {}
    for spec in REGION_CHARTS:
        chart = spec.build(data)
        if chart is not None:
            charts[spec.slug] = chart
    charts["ranking"], ranking = _ranking(region, places, params or {})
    return {
        "charts": charts,
        "ranking": ranking,
        "measures": [(key, label) for key, (label, *_rest) in MEASURES.items()],
        "places": places,
        "attendance": data.attendance,
        "summary": data.summary,
    }


@login_required
def index(request):
    """The user's own landing page."""
    url = selectors.landing_url(request.user)
    if url is None:
        if request.user.is_superuser:
            province = Region.objects.get(level=Region.Level.PROVINCE)
            return redirect("dashboards:region", province.code)
        raise Http404(MISSING)
    return redirect(url)


@login_required
def region(request, code: str):
    """A province's, prefecture's or county's dashboard, drilling down to the next."""
    user = request.user
    region = _region_or_404(user, code, selectors.DASHBOARD_LEVELS)
    data = _charts(user, region, request.GET)
    context = {
        "region": region,
        "breadcrumbs": selectors.breadcrumbs(user=user, region=region),
        "snapshot": snapshot_status(user=user, region=region),
        "refresh": refresh_target(user),
        "chart_list": list(data["charts"].values()),
        "today": clock.today(),
        **data,
    }
    if region.level == Region.Level.COUNTY:
        context["teams"] = selectors.county_teams(
            user=user, county=region, counts=data["places"].team_counts
        )
        context["quarter"] = Quarter.of(context["today"])
    return render(request, "dashboards/region.html", context)


@login_required
def export(request, code: str, slug: str):
    """One chart's numbers as an xlsx."""
    region = _region_or_404(request.user, code, selectors.DASHBOARD_LEVELS)
    chart = _charts(request.user, region, request.GET)["charts"].get(slug)
    if chart is None:
        raise Http404(MISSING)
    return xlsx_attachment(
        chart_workbook(chart), f"dashboard-{region.code}-{slug}.xlsx"
    )


@login_required
def workbench(request, code: str):
    """What the county has to do this week, each item one click from its record."""
    user = request.user
    county = _region_or_404(user, code, (Region.Level.COUNTY,))
    today = clock.today()
    teams = selectors.county_teams(user=user, county=county)
    summary = finding_summary(user=user, within=county)
    findings_url = reverse("compliance:findings")
    context = {
        "region": county,
        "today": today,
        "breadcrumbs": selectors.breadcrumbs(user=user, region=county),
        "severity": selectors.severity_counts(user=user, region=county),
        "findings_url": findings_url,
        "rules": [
            (
                r,
                findings_url + "?" + urlencode({"rule": r.code, "region": county.code}),
            )
            for r in sorted(summary.rows, key=lambda r: (-r.error, -r.count))
            if r.count
        ],
        "missing_months": [
            (
                m,
                reverse("attendance:grid")
                + "?"
                + urlencode(
                    {"township": m.township.code, "month": month_code(m.month)}
                ),
            )
            for m in selectors.months_not_submitted(user=user, county=county)
        ],
        "short_teams": [row for row in teams if row.short],
        "unfit": list(selectors.unfit_awaiting_replacement(user=user, county=county)),
        "letters_missing": summary.get("NO_TARGET_LETTER").count,
        "letters_url": reverse("assessments:letter-missing")
        + "?"
        + urlencode({"county": county.code}),
        "grading": selectors.grading_progress(
            user=user, county=county, year=today.year
        ),
        "grading_url": reverse("assessments:grading")
        + "?"
        + urlencode({"county": county.code, "year": today.year}),
        "snapshot": snapshot_status(user=user, region=county),
        "refresh": refresh_target(user),
    }
    return render(request, "dashboards/workbench.html", context)


@login_required
def township(request, code: str):
    """The township's month, its quarter's visits and the user's reminders."""
    user = request.user
    township = _region_or_404(user, code, (Region.Level.TOWNSHIP,))
    quarter, visits = selectors.township_visits(user=user, township=township)
    months = [
        (
            m,
            reverse("attendance:grid")
            + "?"
            + urlencode({"township": township.code, "month": month_code(m.month)}),
        )
        for m in selectors.township_months(user=user, township=township)
    ]
    context = {
        "region": township,
        "today": clock.today(),
        "breadcrumbs": selectors.breadcrumbs(user=user, region=township),
        "months": months,
        "quarter": quarter,
        "visits": visits,
        "reminders": selectors.township_reminders(user=user),
    }
    return render(request, "dashboards/township.html", context)
