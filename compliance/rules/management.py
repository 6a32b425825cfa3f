"""Day-to-day management (四): meetings, attendance, reports, training, grades."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    DateField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import (
    Coalesce,
    ExtractMonth,
    ExtractYear,
    Least,
    Trim,
    TruncMonth,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.caps import cap_counts, excellent_cap
from assessments.models import Assessment, TrainingRecord
from attendance.models import LeaderMeeting, MonthlyAttendance, TeamReport
from teams.models import Membership, Team, Term
from villages.models import Region, Village
from zhucun.formats import days_text, percent
from zhucun.periods import (
    last_completed_month,
    last_completed_quarter,
    last_completed_year,
    month_display,
    month_last_day,
    month_of,
    next_month,
    progress_year,
    year_bounds,
)
from zhucun.queries import SubqueryCount, overlapping, throughout

from .common import (
    MEMBER_FIELDS,
    VILLAGE_FIELDS,
    latest_per_person,
    member_finding,
    team_finding,
    village_finding,
)
from .engine import Context, team_fields
from .registry import (
    COUNTY,
    ERROR,
    MEMBER,
    TEAM,
    UNIT,
    VILLAGE,
    WARNING,
    Rule,
    register,
)

FS = Membership.Role.FIRST_SECRETARY


@register
class NoQuarterlyLeaderMeeting(Rule):
    """县（市、区）每季度至少组织召开1次驻村工作队队长会议。(四(一) 健全管理制度)

    The last quarter completed by the day: every county with a team in post at any
    time in the quarter held a leader meeting dated in it.
    """

    code = "NO_QUARTERLY_LEADER_MEETING"
    clause = "四(一)"
    severity = ERROR
    object_type = COUNTY
    title = gettext_lazy("本季度未召开队长会议")

    def findings(self):
        ctx = self.ctx
        quarter = last_completed_quarter(ctx.as_of)
        teams = Team.objects.filter(
            overlapping(quarter.first, quarter.last), village__county_id=OuterRef("pk")
        )
        meetings = LeaderMeeting.objects.filter(
            county=OuterRef("pk"),
            held_on__gte=quarter.first,
            held_on__lte=quarter.last,
        )
        rows = (
            Region.objects.order_by()
            .filter(ctx.county_q("id"), level=Region.Level.COUNTY)
            .filter(Exists(teams), ~Exists(meetings))
            .values_list("id", flat=True)
        )
        for county_id in rows:
            label = ctx.county_label(county_id)
            yield self.finding(
                object_id=county_id,
                label=label,
                county_code=ctx.county_code(county_id),
                period=quarter.code,
                message=_(
                    "%(county)s%(quarter)s未召开驻村工作队队长会议（每季度至少1次）"
                )
                % {"county": label, "quarter": quarter.display},
            )


def _month_index(expression):
    """Months since year 0 of a date expression, so that month spans subtract."""
    return ExtractYear(expression) * 12 + ExtractMonth(expression)


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """First days of the months from ``first``'s to ``last``'s, both included."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


@register
class AttendanceNotRecorded(Rule):
    """乡镇党委、政府动态掌握、每月统计驻村工作队队员在岗情况并留档备查。(四(一))

    Every month of each membership's service up to the last month completed by the
    day (a month counts when the membership was in force at any time in it) has
    the month's attendance row, for every month of the member's service in the
    term (the last term begun by the day). 留档备查 has no expiry within it: a
    month missing in 2019 is still a finding in 2020, after the term's end too,
    until the next term begins. One finding per member and missing month.

    Set-based in two queries: the memberships whose recorded months are fewer
    than their months of service, then the months those few have recorded.
    """

    code = "ATTENDANCE_NOT_RECORDED"
    clause = "四(一)"
    severity = ERROR
    object_type = MEMBER
    title = gettext_lazy("月度在岗情况未记录")

    def findings(self):
        ctx = self.ctx
        last = last_completed_month(ctx.as_of)
        cap = month_last_day(last)
        served_to = Least(
            Coalesce("end_date", Value(cap)), Value(cap), output_field=DateField()
        )
        # The term under way (or the last one begun): its months are judged however
        # old, while an earlier term's records are no longer asked for.
        latest_term = (
            Term.objects.filter(start_date__lte=ctx.as_of)
            .order_by("-start_date")
            .values("id")[:1]
        )
        # Rows of the months served only: a row outside the span hides no gap.
        recorded = MonthlyAttendance.objects.filter(
            membership=OuterRef("pk"),
            month__gte=OuterRef("served_from"),
            month__lte=OuterRef("served_to"),
        ).values("id")
        gaps = (
            Membership.objects.order_by()
            .filter(ctx.village_q("team__village__"), start_date__lte=cap)
            .filter(team__term_id=Subquery(latest_term))
            .annotate(served_from=TruncMonth("start_date"), served_to=served_to)
            .annotate(
                served=_month_index("served_to") - _month_index("start_date") + 1,
                recorded=SubqueryCount(recorded),
            )
            .filter(recorded__lt=F("served"))
        )
        rows = list(gaps.values(*MEMBER_FIELDS, "start_date", "end_date"))
        if not rows:
            return
        # The months those members have recorded; the subquery (not a list of ids)
        # keeps this one statement however many members have gaps.
        months = defaultdict(set)
        for membership_id, month in MonthlyAttendance.objects.filter(
            membership__in=gaps.values("id"), month__lte=last
        ).values_list("membership_id", "month"):
            months[membership_id].add(month)
        for row in rows:
            end = min(row["end_date"] or cap, cap)
            for m in _months(row["start_date"], end):
                if m in months[row["id"]]:
                    continue
                yield member_finding(
                    self,
                    ctx,
                    row,
                    _(
                        "%(team)s队员%(name)s%(month)s的在岗情况未记录"
                        "（乡镇应每月统计并留档备查）"
                    )
                    % {
                        "team": ctx.team_label(row, "team__"),
                        "name": row["person__name"],
                        "month": month_display(m),
                    },
                    period=f"{m:%Y-%m}",
                )


@register
class NoQuarterlyReport(Rule):
    """驻村工作队每季度向县（市、区）"五个一"帮扶力量协调小组报告思想、工作、学习情况。(四(一))

    The last quarter completed by the day, for teams in post all that quarter (a
    team that arrived or left during it owes no report for it).
    """

    code = "NO_QUARTERLY_REPORT"
    clause = "四(一)"
    severity = ERROR
    object_type = TEAM
    title = gettext_lazy("未报送季度工作报告")

    def findings(self):
        ctx = self.ctx
        quarter = last_completed_quarter(ctx.as_of)
        reports = TeamReport.objects.filter(
            team=OuterRef("pk"), year=quarter.year, quarter=quarter.number
        )
        rows = (
            Team.objects.order_by()
            .filter(
                throughout(quarter.first, quarter.last),
                ctx.village_q("village__"),
                start_date__lte=ctx.as_of,
            )
            .filter(~Exists(reports))
            .values("id", *team_fields())
        )
        for row in rows:
            yield team_finding(
                self,
                ctx,
                row,
                _(
                    "%(team)s未向县“五个一”帮扶力量协调小组报告%(quarter)s思想、工作、学习情况"
                )
                % {"team": ctx.team_label(row), "quarter": quarter.display},
                period=quarter.code,
            )


def served_in(ctx: Context, year: int):
    """Memberships in force at any time in ``year`` (up to the day), in the region."""
    first, last = year_bounds(year)
    return Membership.objects.order_by().filter(
        overlapping(first, last),
        ctx.village_q("team__village__"),
        start_date__lte=ctx.as_of,
    )


@register
class TrainingDaysShort(Rule):
    """确保驻村工作队队员每人每年培训累计不少于5天。(四(二) 加强教育培训)

    Error for the last year completed by the day: each person who served in it has
    ``TRAINING_DAYS_MIN`` training days at events starting in that year. During the
    year's last quarter the year under way is shown too, as progress warnings
    (earlier in the year a shortfall is the normal state of affairs).
    """

    code = "TRAINING_DAYS_SHORT"
    clause = "四(二)"
    severity = ERROR
    object_type = MEMBER
    title = gettext_lazy("年度培训不足5天")

    def findings(self):
        ctx = self.ctx
        yield from self._year(last_completed_year(ctx.as_of), progress=False)
        current = progress_year(ctx.as_of)
        if current is not None:
            yield from self._year(current, progress=True)

    def _year(self, year: int, *, progress: bool):
        ctx = self.ctx
        least = ctx.thresholds.training_days_min
        first, last = year_bounds(year)
        records = TrainingRecord.objects.filter(
            event__start_date__gte=first, event__start_date__lte=min(last, ctx.as_of)
        ).order_by()
        # People trained enough, aggregated once; the rows found then read their
        # own total.
        trained = (
            records.values("person_id")
            .annotate(total=Sum("days"))
            .filter(total__gte=least)
            .values("person_id")
        )
        days = (
            records.filter(person=OuterRef("person_id"))
            .values("person_id")
            .annotate(total=Sum("days"))
            .values("total")
        )
        decimal = DecimalField(max_digits=6, decimal_places=1)
        rows = (
            served_in(ctx, year)
            .exclude(person_id__in=trained)
            .annotate(
                days=Coalesce(Subquery(days), Value(Decimal(0)), output_field=decimal)
            )
            .order_by()
            .values(*MEMBER_FIELDS, "person_id", "start_date", "days")
        )
        for row in latest_per_person(rows):
            values = {
                "team": ctx.team_label(row, "team__"),
                "name": row["person__name"],
                "year": year,
                "days": days_text(row["days"]),
                "least": days_text(least),
                "day": ctx.as_of.isoformat(),
            }
            if progress:
                message = _(
                    "截至%(day)s，%(team)s队员%(name)s%(year)d年累计培训%(days)s天，"
                    "全年应不少于%(least)s天"
                )
            else:
                message = _(
                    "%(team)s队员%(name)s%(year)d年累计培训%(days)s天，少于%(least)s天"
                )
            yield member_finding(
                self,
                ctx,
                row,
                message % values,
                period=str(year),
                severity=WARNING if progress else None,
            )


@register
class ExcellentOverCap(Rule):
    """其中"优秀"等次名额不超过所在县（市、区）驻村工作队队员总数的20%（不含第一书记）。(四(三))

    The last year completed by the day, per county: 优秀 annual grades of members
    other than first secretaries, at most floor(``EXCELLENT_CAP_RATIO`` × the
    people who served on the county's teams that year, first secretaries excluded).
    """

    code = "EXCELLENT_OVER_CAP"
    clause = "四(三)"
    severity = ERROR
    object_type = COUNTY
    title = gettext_lazy("优秀等次超过20%")

    def findings(self):
        ctx = self.ctx
        ratio = ctx.thresholds.excellent_cap_ratio
        year = last_completed_year(ctx.as_of)
        eligible, graded = cap_counts(year, ctx.county_ids)
        for county_id, excellent in graded.items():
            members = eligible.get(county_id, 0)
            cap = excellent_cap(ratio, members)
            if excellent <= cap:
                continue
            label = ctx.county_label(county_id)
            yield self.finding(
                object_id=county_id,
                label=label,
                county_code=ctx.county_code(county_id),
                period=str(year),
                message=_(
                    "%(county)s%(year)d年度评为优秀的队员%(excellent)d人，上限为%(cap)d人"
                    "（不含第一书记的队员共%(members)d人的%(ratio)s），超出%(over)d人"
                )
                % {
                    "county": label,
                    "year": year,
                    "excellent": excellent,
                    "cap": cap,
                    "members": members,
                    "over": excellent - cap,
                    "ratio": percent(ratio),
                },
            )


@register
class AssessmentMissing(Rule):
    """县（市、区）每年年底对驻村工作队队员进行年度考核，按"优秀""称职""不称职"确定等次。(四(三))

    The last year completed by the day: every person who served on a team in it
    (first secretaries included) has an annual grade for it.
    """

    code = "ASSESSMENT_MISSING"
    clause = "四(三)"
    severity = ERROR
    object_type = MEMBER
    title = gettext_lazy("缺少年度考核等次")

    def findings(self):
        ctx = self.ctx
        year = last_completed_year(ctx.as_of)
        graded = Assessment.objects.filter(
            person=OuterRef("person_id"), year=year, kind=Assessment.Kind.ANNUAL
        )
        rows = (
            served_in(ctx, year)
            .filter(~Exists(graded))
            .values(*MEMBER_FIELDS, "person_id", "start_date")
        )
        for row in latest_per_person(rows):
            yield member_finding(
                self,
                ctx,
                row,
                _("%(team)s队员%(name)s缺少%(year)d年度考核等次（优秀、称职、不称职）")
                % {
                    "team": ctx.team_label(row, "team__"),
                    "name": row["person__name"],
                    "year": year,
                },
                period=str(year),
            )


def _unit_groups(
    rows, unit_field: str, county_field: str
) -> dict[tuple[int, int], list[dict]]:
    """Rows grouped by (unit, county), in the rows' order."""
    groups: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in rows:
        groups[(row[unit_field], row[county_field])].append(row)
    return groups


def _head(head: str) -> str:
    return _("（主要负责人%(head)s）") % {"head": head} if head else ""


@register
class UnitBarredForUnfit(Rule):
    """驻村工作队队员年度考核评为"不称职"的，派出单位及主要负责人年度考核不得评先评优。(四(三))

    The last year completed by the day: every dispatching unit of a member graded
    不称职 that year is listed, once per county the member served in.
    """

    code = "UNIT_BARRED_FOR_UNFIT"
    clause = "四(三)"
    severity = WARNING
    object_type = UNIT
    title = gettext_lazy("派出单位因队员不称职不得评优")

    def findings(self):
        ctx = self.ctx
        year = last_completed_year(ctx.as_of)
        rows = (
            Assessment.objects.filter(
                ctx.village_q("membership__team__village__"),
                year=year,
                kind=Assessment.Kind.ANNUAL,
                grade=Assessment.Grade.INCOMPETENT,
            )
            .order_by("person__name", "id")
            .values(
                "person__name",
                "membership__unit_id",
                "membership__unit__name",
                "membership__unit__principal_head",
                "membership__team__village__county_id",
            )
        )
        groups = _unit_groups(
            rows, "membership__unit_id", "membership__team__village__county_id"
        )
        for (unit_id, county_id), members in groups.items():
            first = members[0]
            yield self.finding(
                object_id=unit_id,
                label=first["membership__unit__name"],
                county_code=ctx.county_code(county_id),
                period=str(year),
                message=_(
                    "%(unit)s%(head)s派驻%(county)s的队员%(names)s%(year)d年度考核为“不称职”，"
                    "该单位及主要负责人%(year)d年度考核不得评先评优"
                )
                % {
                    "unit": first["membership__unit__name"],
                    "head": _head(first["membership__unit__principal_head"]),
                    "county": ctx.county_label(county_id),
                    "names": "、".join(m["person__name"] for m in members),
                    "year": year,
                },
            )


@register
class UnitBarredForVillage(Rule):
    """帮扶单位与贫困村脱贫攻坚实行责任捆绑，纳入年度脱贫任务的贫困村不脱贫，帮扶单位及主要领导
    不得评先评优。(四(四) 促进合力攻坚)

    The last year completed by the day: a village planned to exit that year or
    earlier (an overdue village stays in each year's task) that had not exited by
    the year's end bars the units of every member who served on its teams that
    year. One finding per unit and county, naming the villages.
    """

    code = "UNIT_BARRED_FOR_VILLAGE"
    clause = "四(四)"
    severity = WARNING
    object_type = UNIT
    title = gettext_lazy("帮扶村未按计划退出，帮扶单位不得评优")

    def findings(self):
        ctx = self.ctx
        year = last_completed_year(ctx.as_of)
        unexited = (
            Village.objects.order_by()
            .filter(ctx.village_q(), planned_exit_year__lte=year)
            .filter(Q(actual_exit_year__isnull=True) | Q(actual_exit_year__gt=year))
        )
        rows = (
            served_in(ctx, year)
            .filter(team__village__in=unexited)
            .order_by("unit_id", "team__village_id")
            .values(
                "unit_id",
                "unit__name",
                "unit__principal_head",
                "team__village_id",
                "team__village__planned_exit_year",
                *team_fields("team__"),
            )
            .distinct()
        )
        groups = _unit_groups(rows, "unit_id", "team__village__county_id")
        for (unit_id, county_id), villages in groups.items():
            first = villages[0]
            seen: dict[int, str] = {}
            for v in villages:
                seen.setdefault(
                    v["team__village_id"],
                    _("%(village)s（计划%(planned)d年退出）")
                    % {
                        "village": ctx.village_label(
                            v["team__village__county_id"],
                            v["team__village__township__name"],
                            v["team__village__name"],
                        ),
                        "planned": v["team__village__planned_exit_year"],
                    },
                )
            yield self.finding(
                object_id=unit_id,
                label=first["unit__name"],
                county_code=ctx.county_code(county_id),
                period=str(year),
                message=_(
                    "%(unit)s%(head)s帮扶的%(villages)s至%(year)d年底仍未退出，"
                    "该单位及主要领导%(year)d年度不得评先评优"
                )
                % {
                    "unit": first["unit__name"],
                    "head": _head(first["unit__principal_head"]),
                    "villages": "、".join(seen.values()),
                    "year": year,
                },
            )


@register
class NoCountyLeaderLink(Rule):
    """联系贫困村的县级领导干部对帮扶工作负总责。(四(四))

    Every registered poor village names its linked county-level leader.
    """

    code = "NO_COUNTY_LEADER_LINK"
    clause = "四(四)"
    severity = WARNING
    object_type = VILLAGE
    title = gettext_lazy("贫困村没有联系县级领导")

    def findings(self):
        ctx = self.ctx
        rows = (
            Village.objects.order_by()
            .filter(ctx.village_q(), is_registered_poor=True)
            .alias(leader=Trim("county_leader"))
            .filter(leader="")
            .values(*VILLAGE_FIELDS)
        )
        for row in rows:
            label = ctx.village_label(
                row["county_id"], row["township__name"], row["name"]
            )
            yield village_finding(
                self,
                ctx,
                row,
                _("%(village)s没有明确联系的县级领导干部") % {"village": label},
            )
