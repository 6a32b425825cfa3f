"""Regions (province → prefecture → county → township), villages and households."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

LIANGSHAN_CODE = "513400"

# Households that must be visited every quarter (三(四) 必访).
PRIORITY_HOUSEHOLD = (
    Q(is_party_member_family=True)
    | Q(is_hardship_family=True)
    | Q(has_critical_patient=True)
    | Q(is_empty_nest_or_left_behind=True)
)


class Region(models.Model):
    """One administrative division; ``path`` holds the codes of its ancestors and itself.

    "Everything under region X" is ``path__startswith=X.path``: one indexed query
    (PostgreSQL gets a ``varchar_pattern_ops`` index for the prefix match).
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        PREFECTURE = "prefecture", _("市（州）")
        COUNTY = "county", _("县（市、区）")
        TOWNSHIP = "township", _("乡（镇）")

    class EthnicArea(models.TextChoices):
        NONE = "", _("非民族地区")
        TIBETAN = "tibetan", _("藏区")
        YI = "yi", _("彝区")

    code = models.CharField(_("行政区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64, db_index=True)
    level = models.CharField(
        _("层级"), max_length=12, choices=Level.choices, db_index=True
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("区划路径"), max_length=64, db_index=True, editable=False)
    deep_poverty = models.BooleanField(_("深度贫困县"), default=False)
    poor_county = models.BooleanField(_("贫困县"), default=False)
    ethnic_area = models.CharField(
        _("民族地区"), max_length=8, choices=EthnicArea.choices, blank=True, default=""
    )
    hardship_class = models.PositiveSmallIntegerField(
        _("艰苦边远地区类别"),
        default=0,
        help_text=_("0 表示非艰苦边远地区，1–6 为国家规定的类别"),
    )

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hardship_class__lte=6), name="region_hardship_class_range"
            ),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True)
                | (~Q(level="province") & Q(parent__isnull=False)),
                name="region_only_province_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_liangshan(self) -> bool:
        """True for 凉山州 and everything inside it (code 5134xx)."""
        return self.code.startswith(LIANGSHAN_CODE[:4])

    @property
    def full_name(self) -> str:
        """Name with its prefecture, which tells the two 市中区 apart."""
        if self.level in (self.Level.COUNTY, self.Level.TOWNSHIP) and self.parent_id:
            chain = [self.name]
            node = self.parent
            while node is not None and node.level != self.Level.PROVINCE:
                chain.append(node.name)
                node = node.parent
            return "".join(reversed(chain))
        return self.name

    @staticmethod
    def build_path(parent_path: str, code: str) -> str:
        return f"{parent_path}{code}/"


class Village(models.Model):
    """A village; the registered poor ones (建档立卡贫困村) each get a work team."""

    township = models.ForeignKey(
        Region,
        verbose_name=_("乡（镇）"),
        on_delete=models.PROTECT,
        related_name="villages",
        limit_choices_to={"level": Region.Level.TOWNSHIP},
    )
    # Denormalised from township.parent so that county rules and scoping need no join.
    county = models.ForeignKey(
        Region,
        verbose_name=_("县（市、区）"),
        on_delete=models.PROTECT,
        related_name="county_villages",
        editable=False,
    )
    name = models.CharField(_("村名"), max_length=64)
    code = models.CharField(
        _("村代码"), max_length=12, null=True, blank=True, unique=True
    )
    is_registered_poor = models.BooleanField(
        _("建档立卡贫困村"), default=True, db_index=True
    )
    is_extremely_poor = models.BooleanField(_("极度贫困村"), default=False)
    drug_aids = models.BooleanField(_("涉毒涉艾"), default=False)
    over_birth_dropout = models.BooleanField(_("超生辍学"), default=False)
    planned_exit_year = models.PositiveSmallIntegerField(
        _("计划退出年度"), null=True, blank=True
    )
    actual_exit_year = models.PositiveSmallIntegerField(
        _("实际退出年度"), null=True, blank=True
    )
    household_count = models.PositiveIntegerField(_("户数"), default=0)
    county_leader = models.CharField(
        _("联系县级领导"), max_length=32, blank=True, default=""
    )

    class Meta:
        verbose_name = _("村")
        verbose_name_plural = _("村")
        ordering = ["county_id", "township_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["township", "name"],
                name="village_unique_name_in_township",
                violation_error_message=_("该乡（镇）已有同名的村。"),
            ),
            models.CheckConstraint(
                condition=Q(planned_exit_year__isnull=True)
                | Q(planned_exit_year__gte=2014, planned_exit_year__lte=2030),
                name="village_planned_exit_year_range",
            ),
            models.CheckConstraint(
                condition=Q(actual_exit_year__isnull=True)
                | Q(actual_exit_year__gte=2014, actual_exit_year__lte=2030),
                name="village_actual_exit_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    """A household of a village, with the priority flags of 三(四) (必访)."""

    village = models.ForeignKey(
        Village,
        verbose_name=_("村"),
        on_delete=models.CASCADE,
        related_name="households",
    )
    head_name = models.CharField(_("户主姓名"), max_length=32)
    member_count = models.PositiveSmallIntegerField(_("家庭人口"), default=1)
    is_party_member_family = models.BooleanField(_("党员家庭"), default=False)
    is_hardship_family = models.BooleanField(_("困难家庭"), default=False)
    has_critical_patient = models.BooleanField(_("危重病人家庭"), default=False)
    is_empty_nest_or_left_behind = models.BooleanField(
        _("空巢老人及留守儿童家庭"), default=False
    )

    class Meta:
        verbose_name = _("农户")
        verbose_name_plural = _("农户")
        ordering = ["village_id", "id"]
        indexes = [
            models.Index(
                fields=["village"],
                name="household_priority_idx",
                condition=PRIORITY_HOUSEHOLD,
            )
        ]

    def __str__(self) -> str:
        return self.head_name

    @property
    def is_priority(self) -> bool:
        return (
            self.is_party_member_family
            or self.is_hardship_family
            or self.has_critical_patient
            or self.is_empty_nest_or_left_behind
        )
