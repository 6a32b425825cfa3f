"""API representations of working funds and spending."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from funding.models import Fund, Spending
from teams.models import Team
from teams.serializers import TeamBriefSerializer
from villages.serializers import RegionBriefSerializer


class FundSerializer(serializers.ModelSerializer):
    team = TeamBriefSerializer(read_only=True, help_text=_("驻村工作队"))
    county = RegionBriefSerializer(
        source="team.village.county", read_only=True, help_text=_("驻点村所属县")
    )
    source_display = serializers.CharField(
        source="get_source_display", read_only=True, help_text=_("经费来源")
    )
    spent = serializers.DecimalField(
        max_digits=14, decimal_places=2, read_only=True, help_text=_("已支出（元）")
    )
    balance = serializers.SerializerMethodField(help_text=_("余额（元）"))

    class Meta:
        model = Fund
        fields = [
            "id",
            "team",
            "county",
            "year",
            "amount",
            "source",
            "source_display",
            "received_on",
            "spent",
            "balance",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_balance(self, fund: Fund) -> str:
        # In Python: SQLite would subtract the two decimals as floats.
        return f"{fund.amount - fund.spent:.2f}"


class FundCreatedSerializer(FundSerializer):
    source_warning = serializers.CharField(
        read_only=True,
        allow_null=True,
        help_text=_("经费来源与政策规定不同时的提示；相同时为 null"),
    )

    class Meta(FundSerializer.Meta):
        fields = [*FundSerializer.Meta.fields, "source_warning"]
        read_only_fields = fields


class FundWriteSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), help_text=_("驻村工作队 id（须在管辖范围内）")
    )
    year = serializers.IntegerField()
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text=_("金额（元），精确到分")
    )
    source = serializers.ChoiceField(
        choices=Fund.Source.choices,
        required=False,
        help_text=_("经费来源；不填时按政策规定（见 /api/v1/funds/suggestion/）"),
    )
    received_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("到位日期")
    )


class FundPatchSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    source = serializers.ChoiceField(choices=Fund.Source.choices, required=False)
    received_on = serializers.DateField(required=False, allow_null=True)


class SourceSuggestionSerializer(serializers.Serializer):
    team = serializers.IntegerField(help_text=_("驻村工作队 id"))
    source = serializers.ChoiceField(
        choices=Fund.Source.choices, help_text=_("政策规定的经费来源")
    )
    source_display = serializers.CharField()
    reason = serializers.CharField(help_text=_("依据"))


class TeamFundingSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(source="__str__", read_only=True)
    county = RegionBriefSerializer(source="village.county", read_only=True)
    allocated = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("当年已安排（元）")
    )
    received = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text=_("当年已到位（元）：到位日期不晚于系统日期"),
    )
    short_by = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=_("距每年2万元的差额（元）")
    )

    class Meta:
        model = Team
        fields = ["id", "display_name", "county", "allocated", "received", "short_by"]
        read_only_fields = fields


class SpendingSerializer(serializers.ModelSerializer):
    fund = serializers.PrimaryKeyRelatedField(read_only=True, help_text=_("经费 id"))
    team = TeamBriefSerializer(source="fund.team", read_only=True)

    class Meta:
        model = Spending
        fields = ["id", "fund", "team", "spent_on", "amount", "purpose"]
        read_only_fields = fields


class SpendingWriteSerializer(serializers.Serializer):
    fund = serializers.PrimaryKeyRelatedField(
        queryset=Fund.objects.all(), help_text=_("经费 id（须在管辖范围内）")
    )
    spent_on = serializers.DateField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    purpose = serializers.CharField(max_length=200)
