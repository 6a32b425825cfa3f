"""The dashboards (province, prefecture, county), the county workbench, the township page.

A region outside the user's scope answers 404, as every scoped page does.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.compliance_selectors import finding_summary, snapshot_status
from assessments.rules.engine import Thresholds
from attendance.periods import month_code
from dashboards import selectors
from dashboards.charts import ChartRow, bar_chart, chart_workbook
from villages.models import Region
from zhucun import clock

MISSING = gettext_lazy("记录不存在或不在您的管辖范围内。")


def _region_or_404(user, code: str, levels) -> Region:
    try:
        return selectors.region_get(user=user, code=code, levels=levels)
    except Region.DoesNotExist:
        raise Http404(MISSING) from None


def _child_url(region: Region) -> str:
    """Where a row of a region's drill-down leads: the next dashboard or page."""
    if region.level == Region.Level.TOWNSHIP:
        return reverse("dashboards:township", args=[region.code])
    return reverse("dashboards:region", args=[region.code])


def _charts(user, region: Region) -> dict:
    """Every chart of a region's dashboard, by slug (the page and the export)."""
    places = selectors.place_rows(user=user, region=region)
    child_header = {
        Region.Level.PROVINCE: _("市（州）"),
        Region.Level.PREFECTURE: _("县（市、区）"),
        Region.Level.COUNTY: _("乡（镇）"),
    }[Region.Level(region.level)]
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
    year = clock.today().year
    ratio = Thresholds.from_settings().excellent_cap_ratio
    caps = selectors.grade_cap_rows(region=region, year=year)
    charts["grades"] = bar_chart(
        slug="grades",
        title=_("%(year)s年度考核优秀比例（上限%(cap)s%%）")
        % {"year": year, "cap": int(ratio * 100)},
        rows=[
            ChartRow(
                r.region.name,
                r.ratio,
                reverse("dashboards:region", args=[r.region.code])
                if r.region != region
                else "",
                (r.excellent, r.members),
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
    return {
        "charts": charts,
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
    data = _charts(user, region)
    context = {
        "region": region,
        "breadcrumbs": selectors.breadcrumbs(user=user, region=region),
        "snapshot": snapshot_status(user=user, region=region),
        "chart_list": list(data["charts"].values()),
        "today": clock.today(),
        **data,
    }
    if region.level == Region.Level.COUNTY:
        context["teams"] = selectors.county_teams(user=user, county=region)
    return render(request, "dashboards/region.html", context)


@login_required
def export(request, code: str, slug: str):
    """One chart's numbers as an xlsx."""
    region = _region_or_404(request.user, code, selectors.DASHBOARD_LEVELS)
    chart = _charts(request.user, region)["charts"].get(slug)
    if chart is None:
        raise Http404(MISSING)
    response = HttpResponse(
        chart_workbook(chart),
        content_type=(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
    )
    response["Content-Disposition"] = (
        f'attachment; filename="dashboard-{region.code}-{slug}.xlsx"'
    )
    return response


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
