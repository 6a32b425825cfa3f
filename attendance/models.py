"""Monthly attendance, household visits, quarterly reports and leader meetings (part 四)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Team
from villages.models import Household, Region


class MonthlyAttendance(models.Model):
    """One member's in-post days in one month, recorded by the township (每月统计…留档备查)."""

    membership = models.ForeignKey(
        Membership,
        verbose_name=_("队员任职"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    month = models.DateField(_("年月"), help_text=_("当月第一天"))
    in_post_days = models.PositiveSmallIntegerField(_("在岗天数"))
    leave_days = models.PositiveSmallIntegerField(_("请假天数"), default=0)
    trip_days = models.PositiveSmallIntegerField(_("公务外出天数"), default=0)
    remark = models.CharField(_("备注"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("月度考勤")
        verbose_name_plural = _("月度考勤")
        ordering = ["-month", "membership_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "month"],
                name="attendance_one_per_member_month",
                violation_error_message=_("该队员这个月的考勤已经录入。"),
            ),
            models.CheckConstraint(
                condition=Q(
                    in_post_days__lte=31, leave_days__lte=31, trip_days__lte=31
                ),
                name="attendance_days_in_month",
                violation_error_message=_("天数不能超过31天。"),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="attendance_month_first_day"
            ),
        ]
        # The default ordering's own index: a page of the admin or API list of
        # 1.2 million rows reads its first rows off the index instead of sorting
        # them all; month filters use its leading column.
        indexes = [
            models.Index(
                fields=["-month", "membership"], name="attendance_month_member_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月} 在岗{self.in_post_days}天"


class AttendanceSubmission(models.Model):
    """A township's month, submitted (locked) or reopened by the county."""

    township = models.ForeignKey(
        Region, verbose_name=_("乡（镇）"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("年月"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reopened_reason = models.CharField(
        _("退回原因"), max_length=200, blank=True, default=""
    )
    # Timeliness is judged on the first submission: a month the county reopened
    # for a correction and that was submitted again is still on time.
    first_submitted_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("考勤报送")
        verbose_name_plural = _("考勤报送")
        ordering = ["-month", "township_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "month"], name="attendance_submission_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}考勤报送"


class HouseholdVisit(models.Model):
    """A member's visit to a household (每季度走遍所有农户)."""

    team = models.ForeignKey(
        Team,
        verbose_name=_("驻村工作队"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("农户"),
        on_delete=models.CASCADE,
        related_name="visits",
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("走访队员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    visited_on = models.DateField(_("走访日期"))
    notes = models.CharField(_("走访情况"), max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("入户走访")
        verbose_name_plural = _("入户走访")
        ordering = ["-visited_on"]
        indexes = [
            models.Index(fields=["team", "visited_on"], name="visit_team_date_idx")
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} 入户走访"


class TeamReport(models.Model):
    """A team's quarterly report to the county (思想、工作、学习)."""

    team = models.ForeignKey(
        Team,
        verbose_name=_("驻村工作队"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    quarter = models.PositiveSmallIntegerField(_("季度"))
    thinking = models.TextField(_("思想情况"), blank=True, default="")
    work = models.TextField(_("工作情况"), blank=True, default="")
    study = models.TextField(_("学习情况"), blank=True, default="")
    submitted_on = models.DateField(_("报告日期"))

    class Meta:
        verbose_name = _("季度工作报告")
        verbose_name_plural = _("季度工作报告")
        ordering = ["-year", "-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "year", "quarter"], name="report_unique"
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="report_quarter_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度工作报告"


class LeaderMeeting(models.Model):
    """A county's team-leader meeting (每季度至少召开1次驻村工作队队长会议)."""

    county = models.ForeignKey(
        Region,
        verbose_name=_("县（市、区）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_on = models.DateField(_("会议日期"))
    attendees = models.ManyToManyField(
        Membership, verbose_name=_("参会人员"), blank=True, related_name="meetings"
    )
    minutes = models.TextField(_("会议纪要"), blank=True, default="")

    class Meta:
        verbose_name = _("队长会议")
        verbose_name_plural = _("队长会议")
        ordering = ["-held_on"]
        indexes = [
            models.Index(fields=["county", "held_on"], name="meeting_county_date_idx")
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(held_on__gte="2014-01-01"), name="meeting_date_sane"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.county} {self.held_on}"


class AttendanceRollup(models.Model):
    """A month's attendance summed for one team or one region (the monthly rollup).

    Written only by ``attendance.rollups.attendance_rollup``; pages and dashboards
    read it instead of summing 1.2 million attendance rows. "Members" count
    memberships in force at any time in the month; ``days_possible`` is the days of
    the month each of them served, summed.
    """

    class Level(models.TextChoices):
        TEAM = "team", _("驻村工作队")
        TOWNSHIP = "township", _("乡（镇）")
        COUNTY = "county", _("县（市、区）")
        PREFECTURE = "prefecture", _("市（州）")
        PROVINCE = "province", _("省")

    level = models.CharField(_("汇总层级"), max_length=12, choices=Level.choices)
    # For a team row, the team's township (so that region scoping applies to it).
    region = models.ForeignKey(
        Region, verbose_name=_("行政区划"), on_delete=models.CASCADE, related_name="+"
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("驻村工作队"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    month = models.DateField(_("年月"))
    members_expected = models.PositiveIntegerField(_("应报人数"))
    members_recorded = models.PositiveIntegerField(_("已录入人数"))
    in_post_days = models.PositiveIntegerField(_("在岗天数"))
    leave_days = models.PositiveIntegerField(_("请假天数"))
    trip_days = models.PositiveIntegerField(_("公务外出天数"))
    days_possible = models.PositiveIntegerField(_("应在岗天数"))
    rate = models.DecimalField(
        _("在岗率"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    computed_at = models.DateTimeField(_("汇总时间"))

    class Meta:
        verbose_name = _("月度在岗汇总")
        verbose_name_plural = _("月度在岗汇总")
        ordering = ["-month", "level", "region_id", "team_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "month"],
                condition=Q(level="team"),
                name="rollup_one_per_team_month",
            ),
            models.UniqueConstraint(
                fields=["level", "region", "month"],
                condition=~Q(level="team"),
                name="rollup_one_per_region_month",
            ),
            models.CheckConstraint(
                condition=Q(level="team", team__isnull=False)
                | (~Q(level="team") & Q(team__isnull=True)),
                name="rollup_team_only_on_team_rows",
            ),
        ]
        indexes = [
            models.Index(fields=["month", "level"], name="rollup_month_level_idx")
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%m月}{self.get_level_display()}在岗汇总"


class PlaceSummary(models.Model):
    """A county's dashboard counts for one year, as of the day they were computed.

    Written only by ``dashboards.summaries.place_summary_refresh`` (after the
    nightly rollup and by seed_demo); the province's and prefectures' dashboards
    sum these rows up the region tree instead of scanning villages, teams,
    households, training and funds. Visits are per quarter of the year (the
    quarters not reached yet stay 0); "in post" means on ``as_of``.
    """

    county = models.ForeignKey(
        Region,
        verbose_name=_("县（市、区）"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    as_of = models.DateField(_("统计日期"))
    poor_villages = models.PositiveIntegerField(_("建档立卡贫困村"), default=0)
    covered_villages = models.PositiveIntegerField(_("有在驻工作队的村"), default=0)
    teams = models.PositiveIntegerField(_("在驻工作队"), default=0)
    members = models.PositiveIntegerField(_("在任队员"), default=0)
    small_teams = models.PositiveIntegerField(_("人数不足的工作队"), default=0)
    liangshan_teams = models.PositiveIntegerField(_("凉山州工作队"), default=0)
    liangshan_in_range = models.PositiveIntegerField(
        _("凉山州人数达标的工作队"), default=0
    )
    visit_households_q1 = models.PositiveIntegerField(_("一季度应走访农户"), default=0)
    visit_households_q2 = models.PositiveIntegerField(_("二季度应走访农户"), default=0)
    visit_households_q3 = models.PositiveIntegerField(_("三季度应走访农户"), default=0)
    visit_households_q4 = models.PositiveIntegerField(_("四季度应走访农户"), default=0)
    visit_done_q1 = models.PositiveIntegerField(_("一季度已走访农户"), default=0)
    visit_done_q2 = models.PositiveIntegerField(_("二季度已走访农户"), default=0)
    visit_done_q3 = models.PositiveIntegerField(_("三季度已走访农户"), default=0)
    visit_done_q4 = models.PositiveIntegerField(_("四季度已走访农户"), default=0)
    served = models.PositiveIntegerField(_("年内在任队员"), default=0)
    trained = models.PositiveIntegerField(_("培训达标队员"), default=0)
    funded_teams = models.PositiveIntegerField(_("应拨付经费的工作队"), default=0)
    funds_received = models.DecimalField(
        _("已到位经费（元）"), max_digits=14, decimal_places=2, default=0
    )
    funds_required = models.DecimalField(
        _("应到位经费（元）"), max_digits=14, decimal_places=2, default=0
    )
    funds_short = models.PositiveIntegerField(_("经费未达标的工作队"), default=0)
    cap_members = models.PositiveIntegerField(
        _("参加考核队员（不含第一书记）"), default=0
    )
    cap_excellent = models.PositiveIntegerField(_("考核优秀队员"), default=0)
    computed_at = models.DateTimeField(_("汇总时间"))

    class Meta:
        verbose_name = _("县级看板汇总")
        verbose_name_plural = _("县级看板汇总")
        ordering = ["-year", "county_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year"],
                name="place_summary_one_per_county_year",
                violation_error_message=_("同一县同一年度只有一条汇总。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年县级看板汇总"


class RollupLock(models.Model):
    """A row that a rollup locks (select_for_update) so that one runs at a time."""

    name = models.CharField(_("名称"), max_length=64, primary_key=True)
    last_run_at = models.DateTimeField(_("最近运行时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("汇总运行锁")
        verbose_name_plural = _("汇总运行锁")

    def __str__(self) -> str:
        return self.name


class Reminder(models.Model):
    """One reminder in one user's inbox, sent at most once per kind, period and object."""

    class Kind(models.TextChoices):
        ATTENDANCE_DUE = "attendance_due", _("月度考勤未报送")
        ATTENDANCE_OVERDUE = "attendance_overdue", _("月度考勤逾期未报送")
        REPORT_MISSING = "report_missing", _("季度工作报告未报送")
        MEETING_MISSING = "meeting_missing", _("季度队长会议未召开")
        VISITS_INCOMPLETE = "visits_incomplete", _("入户走访未全覆盖")
        TRAINING_BEHIND = "training_behind", _("培训进度落后")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("提醒类型"), max_length=24, choices=Kind.choices)
    period = models.CharField(
        _("期间"), max_length=8, help_text=_("月份 2022-12 或季度 2022Q4")
    )
    # The object reminded about: a township, team, county or membership, by kind.
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    object_label = models.CharField(_("对象"), max_length=200)
    message = models.CharField(_("提醒内容"), max_length=500)
    link = models.CharField(_("链接"), max_length=300, blank=True, default="")
    region = models.ForeignKey(
        Region, verbose_name=_("所属地区"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    mailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("提醒")
        verbose_name_plural = _("提醒")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "period", "object_id"],
                name="reminder_once_per_period",
                violation_error_message=_("同一提醒在同一期间只发送一次。"),
            )
        ]
        indexes = [
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="reminder_unread_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.object_label}"
