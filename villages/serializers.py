"""API representations of regions and villages (read-only)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from villages.models import Region, Village


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
