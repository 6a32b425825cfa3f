"""API representations of units, pairings, people, teams and memberships (read-only).

身份证号码 and phone numbers leave the server masked to their last four characters
(``zhucun.id_numbers.mask_personal``). The birth date is digits 7-14 of the number,
so it is not part of these answers: it goes out with the whole number only, through
the audited reveal (``POST /api/v1/people/<id>/reveal/``).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from teams.models import (
    Membership,
    Pairing,
    Person,
    Team,
    Term,
    Unit,
    WorkCommittee,
)
from villages.models import Village
from villages.serializers import RegionBriefSerializer
from zhucun.id_numbers import mask_personal


class MaskedIdNumberField(serializers.CharField):
    """A 身份证号码 with all but its last four characters hidden."""

    def to_representation(self, value):
        return mask_personal("id_number", str(value))


class MaskedPhoneField(serializers.CharField):
    """A phone number with all but its last four digits hidden."""

    def to_representation(self, value):
        return mask_personal("phone", str(value))


class WorkCommitteeBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkCommittee
        fields = ["id", "name"]
        read_only_fields = fields


class UnitBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name"]
        read_only_fields = fields


class PersonBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "name"]
        read_only_fields = fields


class TermBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Term
        fields = ["id", "name"]
        read_only_fields = fields


class VillageBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Village
        fields = ["id", "code", "name"]
        read_only_fields = fields


class TeamBriefSerializer(serializers.ModelSerializer):
    name = serializers.CharField(
        source="__str__",
        read_only=True,
        help_text=_("工作队名称；未命名时为“村名驻村工作队”"),
    )

    class Meta:
        model = Team
        fields = ["id", "name"]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(
        source="get_level_display", read_only=True, help_text=_("单位层级名称")
    )
    unit_type_display = serializers.CharField(
        source="get_unit_type_display", read_only=True, help_text=_("单位类型名称")
    )
    region = RegionBriefSerializer(read_only=True, help_text=_("单位所在地区"))
    work_committee = WorkCommitteeBriefSerializer(
        read_only=True, allow_null=True, help_text=_("所属机关工委")
    )
    fixed_point_county = RegionBriefSerializer(
        read_only=True, allow_null=True, help_text=_("定点帮扶县")
    )
    deep_poverty_link_county = RegionBriefSerializer(
        read_only=True, allow_null=True, help_text=_("2017年新增联系的深度贫困县")
    )

    class Meta:
        model = Unit
        fields = [
            "id",
            "name",
            "level",
            "level_display",
            "unit_type",
            "unit_type_display",
            "region",
            "staff_count",
            "work_committee",
            "fixed_point_county",
            "deep_poverty_link_county",
            "principal_head",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "staff_count": {"help_text": _("在编在岗人数，决定选派名额（二(一)）")},
        }


class PairingSerializer(serializers.ModelSerializer):
    assisting_county = RegionBriefSerializer(read_only=True, help_text=_("帮扶县"))
    assisting_prefecture = RegionBriefSerializer(
        source="assisting_county.parent",
        read_only=True,
        help_text=_("帮扶县所属市（州）"),
    )
    assisted_county = RegionBriefSerializer(read_only=True, help_text=_("受援县"))
    assisted_prefecture = RegionBriefSerializer(
        source="assisted_county.parent",
        read_only=True,
        help_text=_("受援县所属市（州）"),
    )

    class Meta:
        model = Pairing
        fields = [
            "id",
            "assisting_county",
            "assisting_prefecture",
            "assisted_county",
            "assisted_prefecture",
        ]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    id_number = MaskedIdNumberField(
        read_only=True, help_text=_("身份证号码（脱敏：仅显示后四位）")
    )
    phone = MaskedPhoneField(
        read_only=True, help_text=_("联系电话（脱敏：仅显示后四位）")
    )
    gender_display = serializers.CharField(
        source="get_gender_display", read_only=True, help_text=_("性别名称")
    )
    political_status_display = serializers.CharField(
        source="get_political_status_display",
        read_only=True,
        help_text=_("政治面貌名称"),
    )
    rank_display = serializers.CharField(
        source="get_rank_display", read_only=True, help_text=_("职级名称")
    )
    unit = UnitBriefSerializer(read_only=True, allow_null=True, help_text=_("工作单位"))

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "gender",
            "gender_display",
            "ethnicity",
            "political_status",
            "political_status_display",
            "unit",
            "current_post",
            "rank",
            "rank_display",
            "on_staff",
            "phone",
            "is_midlevel_without_grassroots",
            "is_progressive_trainee",
            "is_reserve_cadre",
            "is_selected_graduate",
        ]
        read_only_fields = fields


class TeamSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(
        source="__str__",
        read_only=True,
        help_text=_("工作队名称；未命名时为“村名驻村工作队”"),
    )
    village = VillageBriefSerializer(read_only=True, help_text=_("驻点村"))
    township = RegionBriefSerializer(
        source="village.township", read_only=True, help_text=_("驻点村所属乡（镇）")
    )
    county = RegionBriefSerializer(
        source="village.county", read_only=True, help_text=_("驻点村所属县（市、区）")
    )
    term = TermBriefSerializer(read_only=True, help_text=_("驻村期次"))

    class Meta:
        model = Team
        fields = [
            "id",
            "name",
            "display_name",
            "village",
            "township",
            "county",
            "term",
            "start_date",
            "end_date",
            "in_post_deadline",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "end_date": {"help_text": _("撤离日期；为空表示仍在驻村")},
            "in_post_deadline": {
                "help_text": _("全员到岗期限；为空时以期次的期限为准")
            },
        }


class MembershipSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer(read_only=True, help_text=_("干部"))
    team = TeamBriefSerializer(read_only=True, help_text=_("驻村工作队"))
    village = VillageBriefSerializer(
        source="team.village", read_only=True, help_text=_("驻点村")
    )
    county = RegionBriefSerializer(
        source="team.village.county",
        read_only=True,
        help_text=_("驻点村所属县（市、区）"),
    )
    role_display = serializers.CharField(
        source="get_role_display", read_only=True, help_text=_("驻村职务名称")
    )
    unit = UnitBriefSerializer(read_only=True, help_text=_("派出单位"))
    sector_display = serializers.CharField(
        source="get_sector_display", read_only=True, help_text=_("行业系统名称")
    )
    is_appointed = serializers.BooleanField(
        read_only=True,
        help_text=_("已完成单位党委推荐、机关工委审核、县委组织部选派三个环节"),
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "person",
            "team",
            "village",
            "county",
            "role",
            "role_display",
            "is_leader",
            "unit",
            "sector",
            "sector_display",
            "start_date",
            "end_date",
            "proposed_on",
            "reviewed_on",
            "appointed_on",
            "is_appointed",
            "filed_on",
            "party_relation_transferred_on",
            "insured_until",
            "unfit_marked_on",
            "replacement_deadline",
            "replaced_by",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "end_date": {"help_text": _("驻村结束时间；为空表示仍在驻村")},
            "replaced_by": {"help_text": _("接替此人的队员任职 id")},
        }
