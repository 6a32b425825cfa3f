"""The compliance snapshot: the latest findings of the rules engine (rules/).

``ComplianceRun`` and ``FindingRecord`` keep the engine's latest findings so that
pages, the API and exports read them without evaluating. Their tables were made
by ``assessments`` and keep their names (``compliance/migrations/0001``).
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from teams.models import Person, Team
from villages.models import Region

# A running Celery worker takes a queued task within seconds; a run still queued
# after this has no worker to take it, and the page says so.
WORKER_CLAIMS_WITHIN = datetime.timedelta(seconds=60)


class ComplianceRun(models.Model):
    """One evaluation of every policy rule (合规检查) for the province or one region.

    Its findings replace the findings of the same region in the snapshot
    (``FindingRecord``); a run superseded by a later one of a region holding it
    is deleted, so the table keeps the runs behind the current snapshot, the
    ones queued or under way, and the last failure.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("检查中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    as_of = models.DateField(_("检查日期"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("检查范围"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("为空表示全省"),
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    requested_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    rule_seconds = models.JSONField(_("各规则用时（秒）"), default=dict, blank=True)
    finding_count = models.PositiveIntegerField(_("问题数"), default=0)
    error = models.CharField(_("失败原因"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("合规检查")
        verbose_name_plural = _("合规检查")
        ordering = ["-requested_at", "-id"]
        # The table was created by assessments (migration 0003) and kept in the move.
        db_table = "assessments_compliancerun"
        indexes = [
            models.Index(fields=["status", "requested_at"], name="compliance_run_idx")
        ]

    def __str__(self) -> str:
        place = self.region.name if self.region_id else _("全省")
        return f"{place} {self.as_of:%Y-%m-%d} {self.get_status_display()}"

    @property
    def is_live(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def unclaimed(self) -> bool:
        """Queued for longer than a worker takes to claim a task: none is running."""
        return (
            self.status == self.Status.PENDING
            and timezone.now() - self.requested_at > WORKER_CLAIMS_WITHIN
        )


class FindingRecord(models.Model):
    """One finding of the latest compliance snapshot (see rules.md for its fields).

    ``path`` is the ``Region.path`` of the finest region the object lies in (the
    township of a village, team or member; the county of a county, pairing or
    unit finding that names one; the unit's own region otherwise), so "every
    finding under region X" is one prefix match on an indexed column. ``team``
    and ``person`` are set where the finding is about a team or one of its
    members: a team's page and a person's page read their findings by them.
    """

    class Severity(models.TextChoices):
        ERROR = "error", _("错误")
        WARNING = "warning", _("警告")

    class ObjectType(models.TextChoices):
        VILLAGE = "village", _("村")
        TEAM = "team", _("驻村工作队")
        MEMBER = "member", _("队员")
        UNIT = "unit", _("派出单位")
        COUNTY = "county", _("县（市、区）")
        PAIRING = "pairing", _("对口帮扶关系")

    run = models.ForeignKey(
        ComplianceRun,
        verbose_name=_("合规检查"),
        on_delete=models.CASCADE,
        related_name="findings",
    )
    rule = models.CharField(_("规则代码"), max_length=40, db_index=True)
    severity = models.CharField(
        _("级别"), max_length=8, choices=Severity.choices, db_index=True
    )
    object_type = models.CharField(
        _("对象类型"), max_length=8, choices=ObjectType.choices
    )
    object_id = models.PositiveBigIntegerField(_("对象编号"))
    label = models.CharField(_("对象"), max_length=200)
    county = models.ForeignKey(
        Region,
        verbose_name=_("所属县"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    path = models.CharField(_("区划路径"), max_length=64, db_index=True)
    team = models.ForeignKey(
        Team,
        verbose_name=_("驻村工作队"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("干部"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    period = models.CharField(
        _("期间"), max_length=10, blank=True, default="", db_index=True
    )
    message = models.TextField(_("问题说明"))

    class Meta:
        verbose_name = _("合规问题")
        verbose_name_plural = _("合规问题")
        ordering = ["path", "id"]
        db_table = "assessments_findingrecord"
        indexes = [
            models.Index(
                fields=["object_type", "object_id"], name="finding_object_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule}：{self.label}"

    @property
    def county_code(self) -> str:
        return self.county.code if self.county_id else ""

    @property
    def rule_title(self) -> str:
        from compliance.rules import get_rule  # the rules import these models

        try:
            return str(get_rule(self.rule).title)
        except KeyError:
            return ""

    @property
    def clause(self) -> str:
        from compliance.rules import get_rule  # (the rules import these models)

        try:
            return get_rule(self.rule).clause
        except KeyError:
            return ""

    @property
    def period_display(self) -> str:
        """2022 → 2022年, 2022Q4 → 2022年第四季度, 2022-03 → 2022年3月."""
        period = self.period
        if len(period) == 6 and period[4] == "Q" and period[5] in "1234":
            return f"{period[:4]}年第{'一二三四'[int(period[5]) - 1]}季度"
        if len(period) == 7 and period[4] == "-":
            return f"{period[:4]}年{int(period[5:])}月"
        if len(period) == 4:
            return f"{period}年"
        return period
