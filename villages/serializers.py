"""API representations of regions, villages and households, and their write bodies."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from villages.models import Household, Region, Village


class RegionBriefSerializer(serializers.ModelSerializer):
    """A region named inside another row: id, code and name."""

    class Meta:
        model = Region
        fields = ["id", "code", "name"]
        read_only_fields = fields


class RegionSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(
        source="get_level_display", read_only=True, help_text=_("层级名称")
    )
    full_name = serializers.CharField(
        read_only=True,
        help_text=_("含上级市（州）的全称，区分同名区县，如“内江市市中区”"),
    )
    parent_code = serializers.CharField(
        source="parent.code",
        read_only=True,
        allow_null=True,
        help_text=_("上级行政区划代码；省为空"),
    )
    parent_name = serializers.CharField(
        source="parent.name",
        read_only=True,
        allow_null=True,
        help_text=_("上级行政区划名称；省为空"),
    )
    ethnic_area_display = serializers.CharField(
        source="get_ethnic_area_display", read_only=True, help_text=_("民族地区名称")
    )

    class Meta:
        model = Region
        fields = [
            "id",
            "code",
            "name",
            "full_name",
            "level",
            "level_display",
            "parent",
            "parent_code",
            "parent_name",
            "path",
            "deep_poverty",
            "poor_county",
            "ethnic_area",
            "ethnic_area_display",
            "hardship_class",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "parent": {"help_text": _("上级行政区划的 id；省为空")},
            "path": {"help_text": _("自省起各级代码，以“/”分隔，用于按前缀查下级")},
        }


class VillageSerializer(serializers.ModelSerializer):
    township = RegionBriefSerializer(read_only=True, help_text=_("所属乡（镇）"))
    county = RegionBriefSerializer(read_only=True, help_text=_("所属县（市、区）"))
    prefecture = RegionBriefSerializer(
        source="county.parent", read_only=True, help_text=_("所属市（州）")
    )

    class Meta:
        model = Village
        fields = [
            "id",
            "code",
            "name",
            "township",
            "county",
            "prefecture",
            "is_registered_poor",
            "is_extremely_poor",
            "drug_aids",
            "over_birth_dropout",
            "planned_exit_year",
            "actual_exit_year",
            "household_count",
            "county_leader",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "code": {"help_text": _("村级行政区划代码，可为空")},
            "county_leader": {"help_text": _("联系该村的县级领导干部姓名")},
        }


class HouseholdSerializer(serializers.ModelSerializer):
    village = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("所属村的 id")
    )
    village_name = serializers.CharField(
        source="village.name", read_only=True, help_text=_("所属村的村名")
    )
    township = RegionBriefSerializer(
        source="village.township", read_only=True, help_text=_("所属乡（镇）")
    )
    county = RegionBriefSerializer(
        source="village.county", read_only=True, help_text=_("所属县（市、区）")
    )
    is_priority = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "重点户：党员、困难、危重病人、空巢老人及留守儿童家庭，须每季度走访"
        ),
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "village_name",
            "township",
            "county",
            "head_name",
            "member_count",
            "is_party_member_family",
            "is_hardship_family",
            "has_critical_patient",
            "is_empty_nest_or_left_behind",
            "is_priority",
        ]
        read_only_fields = fields


# --- request bodies of the writes (validated here, written by villages.services) ---
# Their notes are comments: a docstring would become the schema's description.


def _exit_year(label: str) -> serializers.IntegerField:
    # The span is the service's year rule (zhucun.periods), with its message.
    return serializers.IntegerField(required=False, allow_null=True, help_text=label)


# Body of POST /api/v1/villages/ and (every field optional) PATCH.
class VillageWriteSerializer(serializers.Serializer):
    township = serializers.CharField(
        max_length=12,
        help_text=_(
            "所属乡（镇）的行政区划代码（须在管辖范围内）；修改即迁往该乡（镇）"
        ),
    )
    name = serializers.CharField(max_length=64, help_text=_("村名"))
    # No length check here: the service's 村代码 rule answers with its message.
    code = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text=_("村级行政区划代码（12位，以所属乡（镇）代码开头），可为空"),
    )
    is_registered_poor = serializers.BooleanField(
        default=True, help_text=_("建档立卡贫困村；新建时不填为是")
    )
    is_extremely_poor = serializers.BooleanField(
        required=False, help_text=_("极度贫困村")
    )
    drug_aids = serializers.BooleanField(required=False, help_text=_("涉毒涉艾"))
    over_birth_dropout = serializers.BooleanField(
        required=False, help_text=_("超生辍学")
    )
    planned_exit_year = _exit_year(_("计划退出年度（2014—2030）"))
    actual_exit_year = _exit_year(_("实际退出年度（2014—2030）"))
    household_count = serializers.IntegerField(
        required=False, min_value=0, help_text=_("户数")
    )
    county_leader = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=32,
        help_text=_("联系该村的县级领导干部姓名"),
    )

    def validate_code(self, value):
        return value or None


# Body of POST /api/v1/households/ and (every field optional) PATCH.
class HouseholdWriteSerializer(serializers.Serializer):
    village = serializers.IntegerField(
        help_text=_("所属村的 id（须在管辖范围内）；登记后不能更改")
    )
    head_name = serializers.CharField(max_length=32, help_text=_("户主姓名"))
    member_count = serializers.IntegerField(
        required=False, min_value=1, max_value=99, help_text=_("家庭人口；不填为1")
    )
    is_party_member_family = serializers.BooleanField(
        required=False, help_text=_("党员家庭")
    )
    is_hardship_family = serializers.BooleanField(
        required=False, help_text=_("困难家庭")
    )
    has_critical_patient = serializers.BooleanField(
        required=False, help_text=_("危重病人家庭")
    )
    is_empty_nest_or_left_behind = serializers.BooleanField(
        required=False, help_text=_("空巢老人及留守儿童家庭")
    )
