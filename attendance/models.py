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
        indexes = [models.Index(fields=["month"], name="attendance_month_idx")]

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
