"""Grades, training and target letters (四(二)(三), 三)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teams.models import Membership, Person, Team


class Assessment(models.Model):
    """A member's grade for a year (年度考核) or for the end of a term (期满考核)."""

    class Kind(models.TextChoices):
        ANNUAL = "annual", _("年度考核")
        TERM_END = "term_end", _("期满考核")

    class Grade(models.TextChoices):
        EXCELLENT = "excellent", _("优秀")
        COMPETENT = "competent", _("称职")
        INCOMPETENT = "incompetent", _("不称职")

    person = models.ForeignKey(
        Person,
        verbose_name=_("干部"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    membership = models.ForeignKey(
        Membership,
        verbose_name=_("队员任职"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    kind = models.CharField(
        _("考核类型"), max_length=10, choices=Kind.choices, default=Kind.ANNUAL
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    grade = models.CharField(_("考核等次"), max_length=12, choices=Grade.choices)
    villager_score = models.DecimalField(
        _("村民测评"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    cadre_score = models.DecimalField(
        _("村干部评议"), max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        verbose_name = _("考核")
        verbose_name_plural = _("考核")
        ordering = ["-year", "person_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "year", "kind"],
                name="assessment_one_per_person_year_kind",
                violation_error_message=_("该干部这一年度已有同类考核结果。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(villager_score__isnull=True)
                    | Q(villager_score__gte=0, villager_score__lte=100)
                )
                & (
                    Q(cadre_score__isnull=True)
                    | Q(cadre_score__gte=0, cadre_score__lte=100)
                ),
                name="assessment_scores_range",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "grade"], name="assessment_year_grade_idx")
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.get_kind_display()}：{self.get_grade_display()}"


class TrainingEvent(models.Model):
    """A training course (省级/市级/县级)."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省级")
        PREFECTURE = "prefecture", _("市级")
        COUNTY = "county", _("县级")

    name = models.CharField(_("培训名称"), max_length=128)
    level = models.CharField(_("举办层级"), max_length=12, choices=Level.choices)
    start_date = models.DateField(_("开始日期"))
    days = models.DecimalField(_("天数"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("培训班")
        verbose_name_plural = _("培训班")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "start_date"], name="training_event_unique"
            ),
            models.CheckConstraint(
                condition=Q(days__gt=0), name="training_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TrainingRecord(models.Model):
    """A person's attendance at a training event."""

    event = models.ForeignKey(
        TrainingEvent,
        verbose_name=_("培训班"),
        on_delete=models.CASCADE,
        related_name="records",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("干部"),
        on_delete=models.PROTECT,
        related_name="training_records",
    )
    days = models.DecimalField(_("参训天数"), max_digits=4, decimal_places=1)

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"], name="training_record_unique"
            ),
            models.CheckConstraint(
                condition=Q(days__gt=0), name="training_record_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"参训{self.days}天"


class TargetLetter(models.Model):
    """A team's target responsibility letter (目标责任书) for a year."""

    team = models.ForeignKey(
        Team,
        verbose_name=_("驻村工作队"),
        on_delete=models.PROTECT,
        related_name="target_letters",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    signed_on = models.DateField(_("签订日期"))

    class Meta:
        verbose_name = _("目标责任书")
        verbose_name_plural = _("目标责任书")
        ordering = ["-year", "team_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "year"], name="target_letter_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年目标责任书"


class TargetItem(models.Model):
    """A checklist item of a letter (清单制), assigned to one member (责任制)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")

    letter = models.ForeignKey(
        TargetLetter,
        verbose_name=_("目标责任书"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    content = models.CharField(_("目标任务"), max_length=300)
    responsible = models.ForeignKey(
        Membership,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="target_items",
    )
    status = models.CharField(
        _("进度"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    evidence = models.CharField(_("佐证材料"), max_length=300, blank=True, default="")

    class Meta:
        verbose_name = _("目标任务")
        verbose_name_plural = _("目标任务")
        ordering = ["letter_id", "id"]

    def __str__(self) -> str:
        return self.content
