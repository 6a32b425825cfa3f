"""Request bodies of the writes: units, pairings, people, teams and memberships.

Membership bodies cover the appointment, its steps, insurance, unfit and replacement.
A region is named by its code (行政区划代码), any other row by its id; the viewset
looks each one up through a selector, so a row outside the user's scope is refused.
Notes on the bodies are comments: a docstring would become the schema's description.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from teams.models import Membership, Person, Unit
from teams.services import Step
from zhucun.id_numbers import validate_phone

STEP_CHOICES = [
    (Step.PROPOSE, _("单位党委推荐")),
    (Step.REVIEW, _("机关工委审核")),
    (Step.APPOINT, _("县委组织部选派")),
    (Step.FILE, _("备案")),
    (Step.TRANSFER_PARTY, _("党组织关系转接")),
]


class PersonRefMixin(serializers.Serializer):
    person = serializers.IntegerField(
        required=False,
        help_text=_("干部 id（须在管辖范围内）；或改填 person_id_number"),
    )
    person_id_number = serializers.CharField(
        required=False,
        max_length=18,
        help_text=_(
            "干部的完整身份证号码：在管辖范围内按号码精确查找。管辖范围以外的干部"
            "与未登记的号码答复相同，须由其派出单位推荐后选派"
        ),
    )

    def validate(self, attrs):
        if not attrs.get("person") and not attrs.get("person_id_number"):
            raise serializers.ValidationError(
                {"person": _("请填写干部 id 或身份证号码。")}
            )
        return attrs


class MembershipCreateSerializer(PersonRefMixin):
    team = serializers.IntegerField(help_text=_("驻村工作队 id（须在管辖范围内）"))
    role = serializers.ChoiceField(
        choices=Membership.Role.choices, help_text=_("驻村职务")
    )
    is_leader = serializers.BooleanField(default=False, help_text=_("是否兼任队长"))
    unit = serializers.IntegerField(help_text=_("派出单位 id"))
    sector = serializers.ChoiceField(
        choices=Membership.Sector.choices,
        default=Membership.Sector.OTHER,
        help_text=_("行业系统"),
    )
    start_date = serializers.DateField(help_text=_("驻村起始时间"))
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text=_("驻村结束时间；不填表示在任")
    )


class StepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=STEP_CHOICES, help_text=_("办理环节"))
    on = serializers.DateField(required=False, help_text=_("办理日期；不填为今天"))


class InsureSerializer(serializers.Serializer):
    until = serializers.DateField(help_text=_("人身意外伤害保险有效期至"))


class MarkUnfitSerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text=_("认定日期；不填为今天"))
    deadline = serializers.DateField(help_text=_("召回调整期限"))


class ReplaceSerializer(PersonRefMixin):
    unit = serializers.IntegerField(help_text=_("接替人员的派出单位 id"))
    start_date = serializers.DateField(help_text=_("接替人员的驻村起始时间"))


def _code(help_text, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=12, help_text=help_text, **kwargs)


@extend_schema_field({"type": "string", "enum": list(Unit.Level.values)})
class UnitLevelField(serializers.ChoiceField):
    """Unit.Level, documented inline: a "level" enum component already names Unit's."""

    def __init__(self, **kwargs):
        super().__init__(choices=Unit.Level.choices, **kwargs)


# Body of POST /api/v1/units/ and (every field optional) PATCH.
class UnitWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=128, help_text=_("单位名称（全省唯一）"))
    level = UnitLevelField(help_text=_("单位层级"))
    unit_type = serializers.ChoiceField(
        choices=Unit.Type.choices, help_text=_("单位类型")
    )
    region = _code(_("单位所在地区的行政区划代码（须在管辖范围内）"))
    staff_count = serializers.IntegerField(
        required=False, min_value=0, help_text=_("在编在岗人数，决定选派名额（二(一)）")
    )
    work_committee = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("所属机关工委的 id；可为空")
    )
    fixed_point_county = _code(
        _("定点帮扶县的代码；可为空"),
        required=False,
        allow_null=True,
        allow_blank=True,
    )
    deep_poverty_link_county = _code(
        _("2017年新增联系的深度贫困县的代码；可为空"),
        required=False,
        allow_null=True,
        allow_blank=True,
    )
    principal_head = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text=_("主要负责人")
    )


# Body of POST /api/v1/pairings/ and (every field optional) PATCH.
class PairingWriteSerializer(serializers.Serializer):
    assisting_county = _code(_("帮扶县的代码"))
    assisted_county = _code(_("受援县的代码"))


# Body of POST /api/v1/people/ and (every field but id_number optional) PATCH.
class PersonWriteSerializer(serializers.Serializer):
    id_number = serializers.CharField(
        max_length=32,
        help_text=_(
            "完整的18位身份证号码，按 GB 11643 核对校验位；出生日期和性别由号码得出。"
            "登记后不能修改。"
        ),
    )
    name = serializers.CharField(max_length=32, help_text=_("姓名"))
    ethnicity = serializers.CharField(
        required=False, allow_blank=True, max_length=16, help_text=_("民族")
    )
    political_status = serializers.ChoiceField(
        choices=Person.PoliticalStatus.choices,
        required=False,
        help_text=_("政治面貌；不填为群众"),
    )
    unit = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("工作单位的 id；可为空")
    )
    current_post = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text=_("现任职务")
    )
    rank = serializers.ChoiceField(
        choices=Person.Rank.choices, required=False, help_text=_("职级；不填为其他")
    )
    on_staff = serializers.BooleanField(
        default=True, help_text=_("在编在岗；新登记时不填为是")
    )
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        validators=[validate_phone],
        help_text=_("联系电话；响应中脱敏显示"),
    )
    is_midlevel_without_grassroots = serializers.BooleanField(
        required=False, help_text=_("没有基层工作经历的中层干部")
    )
    is_progressive_trainee = serializers.BooleanField(
        required=False, help_text=_("递进培养计划学员")
    )
    is_reserve_cadre = serializers.BooleanField(required=False, help_text=_("后备干部"))
    is_selected_graduate = serializers.BooleanField(
        required=False, help_text=_("选调生")
    )

    def validate_id_number(self, value: str) -> str:
        if self.partial:
            raise serializers.ValidationError(_("身份证号码登记后不能修改。"))
        return value


# Body of POST /api/v1/teams/.
class TeamCreateSerializer(serializers.Serializer):
    village = serializers.IntegerField(help_text=_("驻点村的 id（须在管辖范围内）"))
    term = serializers.IntegerField(help_text=_("驻村期次的 id"))
    name = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=128,
        help_text=_("工作队名称；不填为“村名驻村工作队”"),
    )
    start_date = serializers.DateField(
        required=False, help_text=_("派驻日期；不填为期次开始日期")
    )
    end_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("撤离日期；不填为期次结束日期"),
    )
