"""The dashboards (province, prefecture, county), the county workbench, the township page.

A region outside the user's scope answers 404, as every scoped page does.
"""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compliance.selectors import finding_summary, snapshot_status
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


def _year_charts(region: Region, places, child_header: str) -> dict:
    """Visits by quarter, training and funds of the year, per child region."""
    today = clock.today()
    quarter = Quarter.of(today)
    minimum = Thresholds.from_settings().funding_min_yuan
    charts = {
        "visits": bar_chart(
            slug="visits",
            title=_("%(quarter)s入户走访覆盖率（已走访农户 / 在驻工作队所在村农户）")
            % {"quarter": quarter.display},
            rows=[
                ChartRow(
                    r.region.name,
                    r.visits(quarter.number),
                    _child_url(r.region),
                    (
                        r.visit_done[quarter.number - 1],
                        r.visit_households[quarter.number - 1],
                    ),
                )
                for r in places.rows
            ],
            value_label=_("走访覆盖率"),
            label_header=child_header,
            percent=True,
            extra_headers=(_("已走访农户"), _("应走访农户")),
        ),
        "visit-quarters": bar_chart(
            slug="visit-quarters",
            title=_("%(year)s年各季度入户走访覆盖率") % {"year": today.year},
            rows=[
                ChartRow(
                    Quarter(today.year, n).display,
                    places.total.visits(n),
                    "",
                    (
                        places.total.visit_done[n - 1],
                        places.total.visit_households[n - 1],
                    ),
                )
                for n in range(1, quarter.number + 1)
            ],
            value_label=_("走访覆盖率"),
            label_header=_("季度"),
            percent=True,
            extra_headers=(_("已走访农户"), _("应走访农户")),
        ),
        "training": bar_chart(
            slug="training",
            title=_("%(year)s年培训达标率（累计参训满%(days)s天的队员 / 年内在任队员）")
            % {
                "year": today.year,
                "days": Thresholds.from_settings().training_days_min,
            },
            rows=[
                ChartRow(
                    r.region.name,
                    r.training,
                    _child_url(r.region),
                    (r.trained, r.served),
                )
                for r in places.rows
            ],
            value_label=_("达标率"),
            label_header=child_header,
            percent=True,
            extra_headers=(_("达标队员"), _("年内在任队员")),
        ),
        "funds": bar_chart(
            slug="funds",
            title=_("%(year)s年工作经费到位率（已到位经费 / 每队每年%(minimum)s元）")
            % {"year": today.year, "minimum": f"{minimum:,.0f}"},
            rows=[
                ChartRow(
                    r.region.name,
                    r.funding,
                    _child_url(r.region),
                    (r.funds_received, r.funds_required, r.funds_short),
                )
                for r in places.rows
            ],
            value_label=_("到位率"),
            label_header=child_header,
            percent=True,
            extra_headers=(
                _("已到位（元）"),
                _("应到位（元）"),
                _("未达标的工作队"),
            ),
        ),
    }
    return charts


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


def _charts(user, region: Region, params=None) -> dict:
    """Every chart of a region's dashboard, by slug (the page and the export)."""
    places = selectors.place_rows(user=user, region=region)
    year = clock.today().year
    child_header = _child_header(region)
    ranked = sorted(
        places.rows,
        key=lambda r: (r.coverage is None, r.coverage or 0, r.region.code),
    )
    charts = {
        "coverage": bar_chart(
            slug="coverage",
            title=_("驻村覆盖率（有在驻工作队的贫困村 / 建档立卡贫困村）"),
            rows=[
                ChartRow(
                    r.region.name,
                    r.coverage,
                    _child_url(r.region),
                    (r.covered_villages, r.poor_villages),
                )
                for r in ranked
            ],
            value_label=_("覆盖率"),
            label_header=child_header,
            percent=True,
            extra_headers=(_("有工作队的村"), _("贫困村")),
        ),
        "teams": bar_chart(
            slug="teams",
            title=_("在驻工作队和在任队员"),
            rows=[
                ChartRow(
                    r.region.name,
                    r.teams,
                    _child_url(r.region),
                    (r.members, r.small_teams),
                )
                for r in places.rows
            ],
            value_label=_("工作队"),
            label_header=child_header,
            extra_headers=(_("队员"), _("人数不足的工作队")),
        ),
    }
    liangshan = [r for r in places.rows if r.liangshan_teams]
    if liangshan:
        thresholds = Thresholds.from_settings()
        charts["liangshan"] = bar_chart(
            slug="liangshan",
            title=_("凉山州工作队人数在%(low)s至%(high)s人之间的比例")
            % {
                "low": thresholds.liangshan_min_members,
                "high": thresholds.liangshan_max_members,
            },
            rows=[
                ChartRow(
                    r.region.name,
                    r.liangshan_in_range / r.liangshan_teams,
                    _child_url(r.region),
                    (r.liangshan_in_range, r.liangshan_teams),
                )
                for r in liangshan
            ],
            value_label=_("比例"),
            label_header=child_header,
            percent=True,
            extra_headers=(_("人数达标的工作队"), _("凉山州工作队")),
        )
    attendance = selectors.attendance_months(user=user, region=region)
    charts["attendance"] = bar_chart(
        slug="attendance",
        title=_("月度在岗率"),
        rows=[
            ChartRow(
                f"{row.month:%Y-%m}",
                row.rate,
                "",
                (row.in_post_days, row.days_possible),
            )
            for row in attendance.rows
        ],
        value_label=_("在岗率"),
        label_header=_("月份"),
        percent=True,
        extra_headers=(_("在岗天数"), _("应在岗天数")),
    )
    charts.update(_year_charts(region, places, child_header))
    ratio = Thresholds.from_settings().excellent_cap_ratio
    caps = [places.total] if region.level == Region.Level.COUNTY else places.rows
    charts["grades"] = bar_chart(
        slug="grades",
        title=_("%(year)s年度考核优秀比例（上限%(cap)s%%）")
        % {"year": year, "cap": int(ratio * 100)},
        rows=[
            ChartRow(
                r.region.name,
                _ratio(r.cap_excellent, r.cap_members),
                _child_url(r.region) if r.region != region else "",
                (r.cap_excellent, r.cap_members),
            )
            for r in caps
        ],
        value_label=_("优秀比例"),
        label_header=_("地区"),
        percent=True,
        reference=ratio,
        reference_label=_("上限"),
        extra_headers=(_("优秀"), _("参加考核队员（不含第一书记）")),
    )
    summary = finding_summary(user=user, within=region)
    charts["compliance"] = bar_chart(
        slug="compliance",
        title=_("合规检查问题（按规则）"),
        rows=[
            ChartRow(
                f"{r.code} {r.title}",
                r.count,
                reverse("compliance:findings")
                + "?"
                + urlencode({"rule": r.code, "region": region.code}),
                (r.error, r.warning),
            )
            for r in sorted(summary.rows, key=lambda r: -r.count)
            if r.count
        ],
        value_label=_("问题数"),
        label_header=_("规则"),
        extra_headers=(_("错误"), _("警告")),
    )
    charts["ranking"], ranking = _ranking(region, places, params or {})
    return {
        "charts": charts,
        "ranking": ranking,
        "measures": [(key, label) for key, (label, *_rest) in MEASURES.items()],
        "places": places,
        "attendance": attendance,
        "summary": summary,
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
