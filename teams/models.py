"""Units, people, terms, teams and memberships (with their appointment steps)."""

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from villages.models import Region, Village
from zhucun.id_numbers import validate_phone


class WorkCommittee(models.Model):
    """An organ work committee (机关工委) that reviews and files the members of its units."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省直机关工委")
        PREFECTURE = "prefecture", _("市（州）直机关工委")
        COUNTY = "county", _("县（市、区）直机关工委")

    name = models.CharField(_("名称"), max_length=64, unique=True)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所在地区"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("机关工委")
        verbose_name_plural = _("机关工委")
        ordering = ["region_id", "name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A dispatching unit (派出单位)."""

    class Level(models.TextChoices):
        PROVINCIAL_DEPT = "provincial_dept", _("省直部门")
        PROVINCIAL_AFFILIATE = "provincial_affiliate", _("省直下属企事业单位")
        CENTRAL_IN_SICHUAN = "central", _("中央在川单位")
        PROVINCIAL_SOE = "provincial_soe", _("省属企业")
        PREFECTURE = "prefecture", _("市（州）级")
        COUNTY = "county", _("县（市、区）级")
        TOWNSHIP = "township", _("乡（镇）级")

    # The provincial-level units that carry the staff-size quota of 二(一).
    PROVINCIAL_LEVELS = (
        Level.PROVINCIAL_DEPT,
        Level.PROVINCIAL_AFFILIATE,
        Level.CENTRAL_IN_SICHUAN,
        Level.PROVINCIAL_SOE,
    )

    class Type(models.TextChoices):
        PARTY_GOVERNMENT = "party_gov", _("党政机关")
        INSTITUTION = "institution", _("事业单位")
        SOE = "soe", _("国有企业")
        UNIVERSITY = "university", _("高等学校")
        HOSPITAL = "hospital", _("医院")
        FINANCIAL = "financial", _("金融机构")

    name = models.CharField(_("单位名称"), max_length=128, unique=True)
    level = models.CharField(
        _("单位层级"), max_length=24, choices=Level.choices, db_index=True
    )
    unit_type = models.CharField(_("单位类型"), max_length=16, choices=Type.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在地区"),
        on_delete=models.PROTECT,
        related_name="units",
        help_text=_("市（州）或县（市、区）"),
    )
    staff_count = models.PositiveIntegerField(_("在编在岗人数"), default=0)
    work_committee = models.ForeignKey(
        WorkCommittee,
        verbose_name=_("所属机关工委"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="units",
    )
    fixed_point_county = models.ForeignKey(
        Region,
        verbose_name=_("定点帮扶县"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="fixed_point_units",
    )
    deep_poverty_link_county = models.ForeignKey(
        Region,
        verbose_name=_("2017年新增联系深度贫困县"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deep_poverty_link_units",
    )
    principal_head = models.CharField(
        _("主要负责人"), max_length=32, blank=True, default=""
    )

    class Meta:
        verbose_name = _("派出单位")
        verbose_name_plural = _("派出单位")
        ordering = ["level", "name"]

    def __str__(self) -> str:
        return self.name


class Pairing(models.Model):
    """Paired assistance (对口帮扶): an assisting county helps a Tibetan/Yi-area poor county."""

    assisting_county = models.ForeignKey(
        Region,
        verbose_name=_("帮扶县"),
        on_delete=models.PROTECT,
        related_name="pairings_given",
    )
    assisted_county = models.ForeignKey(
        Region,
        verbose_name=_("受援县"),
        on_delete=models.PROTECT,
        related_name="pairings_received",
    )

    class Meta:
        verbose_name = _("对口帮扶关系")
        verbose_name_plural = _("对口帮扶关系")
        ordering = ["assisted_county_id", "assisting_county_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assisting_county", "assisted_county"],
                name="pairing_unique",
                violation_error_message=_("这一对口帮扶关系已存在。"),
            ),
            models.CheckConstraint(
                condition=~Q(assisting_county=F("assisted_county")),
                name="pairing_not_self",
                violation_error_message=_("帮扶县和受援县不能是同一个县。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assisting_county} → {self.assisted_county}"


class Person(models.Model):
    """A cadre, identified by 身份证号码 (GB 11643); birth date and gender derive from it."""

    class Gender(models.TextChoices):
        MALE = "M", _("男")
        FEMALE = "F", _("女")

    class PoliticalStatus(models.TextChoices):
        CPC = "cpc", _("中共党员")
        CPC_PROBATIONARY = "cpc_probationary", _("中共预备党员")
        CYL = "cyl", _("共青团员")
        MASSES = "masses", _("群众")
        DEMOCRATIC_PARTY = "democratic", _("民主党派")

    class Rank(models.TextChoices):
        DIVISION = "division", _("处级")
        SECTION = "section", _("科级")
        DIVISION_RESERVE = "division_reserve", _("处级后备干部")
        SECTION_RESERVE = "section_reserve", _("科级后备干部")
        OTHER = "other", _("其他")

    QUALIFIED_LEADER_RANKS = (
        Rank.DIVISION,
        Rank.SECTION,
        Rank.DIVISION_RESERVE,
        Rank.SECTION_RESERVE,
    )
    PARTY_STATUSES = (PoliticalStatus.CPC, PoliticalStatus.CPC_PROBATIONARY)

    id_number = models.CharField(_("身份证号码"), max_length=18, unique=True)
    name = models.CharField(_("姓名"), max_length=32, db_index=True)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=16, blank=True, default="")
    political_status = models.CharField(
        _("政治面貌"),
        max_length=20,
        choices=PoliticalStatus.choices,
        default=PoliticalStatus.MASSES,
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("工作单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    current_post = models.CharField(
        _("现任职务"), max_length=64, blank=True, default=""
    )
    rank = models.CharField(
        _("职级"), max_length=20, choices=Rank.choices, default=Rank.OTHER
    )
    on_staff = models.BooleanField(_("在编在岗"), default=True)
    phone = models.CharField(
        _("联系电话"),
        max_length=20,
        blank=True,
        default="",
        validators=[validate_phone],
    )
    # 应派尽派 (二(一)): cadres of these kinds are to be dispatched wherever possible.
    is_midlevel_without_grassroots = models.BooleanField(
        _("没有基层工作经历的中层干部"), default=False
    )
    is_progressive_trainee = models.BooleanField(_("递进培养计划学员"), default=False)
    is_reserve_cadre = models.BooleanField(_("后备干部"), default=False)
    is_selected_graduate = models.BooleanField(_("选调生"), default=False)

    class Meta:
        verbose_name = _("干部")
        verbose_name_plural = _("干部")
        ordering = ["name", "id"]
        permissions = [
            ("view_full_personal_data", _("查看完整身份证号码和联系电话")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(id_number__regex=r"^[0-9]{17}[0-9X]$"),
                name="person_id_number_format",
                violation_error_message=_("身份证号码应为18位：17位数字加1位数字或X。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_party_member(self) -> bool:
        return self.political_status in self.PARTY_STATUSES


class Term(models.Model):
    """A dispatch term (驻村期次): two years, with a date by which teams are in post."""

    name = models.CharField(_("期次名称"), max_length=64, unique=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    in_post_deadline = models.DateField(_("到岗期限"))

    class Meta:
        verbose_name = _("驻村期次")
        verbose_name_plural = _("驻村期次")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="term_end_after_start",
                violation_error_message=_("期次结束日期应晚于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(in_post_deadline__gte=F("start_date")),
                name="term_deadline_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """The work team of one village for one term (一村一队)."""

    village = models.ForeignKey(
        Village, verbose_name=_("村"), on_delete=models.PROTECT, related_name="teams"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("驻村期次"), on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(_("工作队名称"), max_length=128, blank=True, default="")
    start_date = models.DateField(_("派驻日期"))
    end_date = models.DateField(_("撤离日期"), null=True, blank=True)
    in_post_deadline = models.DateField(_("到岗期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("驻村工作队")
        verbose_name_plural = _("驻村工作队")
        ordering = ["village_id", "start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "term"],
                name="team_one_per_village_term",
                violation_error_message=_("该村在这一期次已有驻村工作队（一村一队）。"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="team_end_after_start",
                violation_error_message=_("撤离日期不能早于派驻日期。"),
            ),
        ]
        indexes = [
            models.Index(fields=["start_date", "end_date"], name="team_dates_idx")
        ]

    def __str__(self) -> str:
        return self.name or f"{self.village.name}驻村工作队"


class Membership(models.Model):
    """A person's place on a team, from proposal to the end of service."""

    class Role(models.TextChoices):
        FIRST_SECRETARY = "first_secretary", _("第一书记")
        LEADER = "leader", _("队长")
        MEMBER = "member", _("队员")

    class Sector(models.TextChoices):
        EDUCATION = "education", _("教育")
        PUBLIC_SECURITY = "public_security", _("公安")
        JUSTICE = "justice", _("司法")
        AGRICULTURE = "agriculture", _("农业")
        FORESTRY = "forestry", _("林业")
        HEALTH = "health", _("卫生计生")
        OTHER = "other", _("其他")

    # Sectors that Liangshan's fourth and later members come mainly from (二(三)).
    LIANGSHAN_SECTORS = (
        Sector.EDUCATION,
        Sector.PUBLIC_SECURITY,
        Sector.JUSTICE,
        Sector.AGRICULTURE,
        Sector.FORESTRY,
        Sector.HEALTH,
    )

    person = models.ForeignKey(
        Person,
        verbose_name=_("干部"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("驻村工作队"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("驻村职务"), max_length=20, choices=Role.choices)
    is_leader = models.BooleanField(_("队长"), default=False)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("派出单位"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    sector = models.CharField(
        _("行业系统"), max_length=20, choices=Sector.choices, default=Sector.OTHER
    )
    start_date = models.DateField(_("驻村起始时间"))
    end_date = models.DateField(_("驻村结束时间"), null=True, blank=True)
    # Appointment steps (二(四)): unit party committee → 机关工委 → county organisation dept.
    proposed_on = models.DateField(_("单位党委推荐日期"), null=True, blank=True)
    reviewed_on = models.DateField(_("机关工委审核日期"), null=True, blank=True)
    appointed_on = models.DateField(_("县委组织部选派日期"), null=True, blank=True)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    party_relation_transferred_on = models.DateField(
        _("党组织关系转接日期"), null=True, blank=True
    )
    insured_until = models.DateField(
        _("人身意外伤害保险有效期至"), null=True, blank=True
    )
    unfit_marked_on = models.DateField(_("认定不适应日期"), null=True, blank=True)
    replacement_deadline = models.DateField(_("召回调整期限"), null=True, blank=True)
    replaced_by = models.OneToOneField(
        "self",
        verbose_name=_("接替人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replaces",
    )

    class Meta:
        verbose_name = _("队员任职")
        verbose_name_plural = _("队员任职")
        ordering = ["team_id", "role", "start_date"]
        constraints = [
            # At most one open-ended membership per person. Overlapping dated
            # memberships are refused by a trigger (SQLite) or an exclusion
            # constraint (PostgreSQL) added in migration 0002.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(end_date__isnull=True),
                name="membership_one_open_per_person",
                violation_error_message=_(
                    "该干部已有一个未结束的驻村任职，同一时间只能在一个工作队。"
                ),
            ),
            models.UniqueConstraint(
                fields=["team"],
                condition=Q(end_date__isnull=True, role="first_secretary"),
                name="membership_one_open_first_secretary_per_team",
                violation_error_message=_(
                    "该工作队已有在任第一书记，一个工作队只能有一名第一书记。"
                ),
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="membership_end_after_start",
                violation_error_message=_("驻村结束时间不能早于驻村起始时间。"),
            ),
            models.CheckConstraint(
                condition=Q(replacement_deadline__isnull=True)
                | Q(unfit_marked_on__isnull=False),
                name="membership_deadline_needs_unfit_mark",
                violation_error_message=_("设置召回调整期限前，须先认定该队员不适应。"),
            ),
        ]
        indexes = [
            models.Index(
                fields=["team", "start_date", "end_date"],
                name="membership_team_dates_idx",
            ),
            models.Index(fields=["unit", "start_date"], name="membership_unit_idx"),
            # The default ordering (a team's members, 第一书记 first).
            models.Index(
                fields=["team", "role", "start_date"], name="membership_order_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person}（{self.get_role_display()}）"

    @property
    def is_appointed(self) -> bool:
        return bool(self.proposed_on and self.reviewed_on and self.appointed_on)
