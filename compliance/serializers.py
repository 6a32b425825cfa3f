"""API representations of the compliance snapshot (read-only)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from compliance.models import FindingRecord


# One finding, with the fields of rules.md and of the compliance command's JSON.
class ComplianceFindingSerializer(serializers.ModelSerializer):
    rule = serializers.CharField(read_only=True, help_text=_("规则代码（见 rules.md）"))
    rule_title = serializers.CharField(read_only=True, help_text=_("规则名称"))
    clause = serializers.CharField(
        read_only=True, help_text=_("川委办〔2018〕19号的条款，如“一(二)”")
    )
    severity_display = serializers.CharField(
        source="get_severity_display", read_only=True, help_text=_("级别名称")
    )
    object_type_display = serializers.CharField(
        source="get_object_type_display", read_only=True, help_text=_("对象类型名称")
    )
    object_id = serializers.IntegerField(
        read_only=True,
        help_text=_(
            "对象的 id：村、工作队、队员任职（member 为任职记录的 id）、派出单位、"
            "县（行政区划 id）或对口帮扶关系"
        ),
    )
    county_code = serializers.CharField(
        read_only=True, help_text=_("所属县的行政区划代码；没有所属县时为空")
    )
    county_name = serializers.CharField(
        source="county.name",
        read_only=True,
        allow_null=True,
        help_text=_("所属县的名称；没有所属县时为空"),
    )
    period = serializers.CharField(
        read_only=True,
        help_text=_(
            "期间：年（2022）、季度（2022Q4）或月（2022-12）；按当日状态检查的为空"
        ),
    )
    period_display = serializers.CharField(
        read_only=True, help_text=_("期间的中文写法")
    )
    as_of = serializers.DateField(
        source="run.as_of",
        read_only=True,
        help_text=_("得出该问题的合规检查的检查日期"),
    )

    class Meta:
        model = FindingRecord
        fields = [
            "id",
            "rule",
            "rule_title",
            "clause",
            "severity",
            "severity_display",
            "object_type",
            "object_type_display",
            "object_id",
            "label",
            "county_code",
            "county_name",
            "period",
            "period_display",
            "message",
            "team",
            "person",
            "as_of",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "severity": {"help_text": _("级别：error（错误）或 warning（警告）")},
            "object_type": {"help_text": _("对象类型")},
            "label": {
                "help_text": _("对象的名称，如“昭觉县某乡某村驻村工作队”或干部姓名")
            },
            "message": {"help_text": _("问题说明（中文）")},
            "team": {
                "help_text": _(
                    "问题所属驻村工作队的 id（工作队或其队员的问题）；否则为空"
                )
            },
            "person": {"help_text": _("问题所涉干部的 id（队员的问题）；否则为空")},
        }


# The findings of one rule: counts per severity.
class ComplianceRuleCountSerializer(serializers.Serializer):
    id = serializers.CharField(help_text=_("规则代码，也是 /summary/{id}/ 的 id"))
    rule = serializers.CharField(source="code", help_text=_("规则代码"))
    title = serializers.CharField(help_text=_("规则名称"))
    clause = serializers.CharField(help_text=_("川委办〔2018〕19号的条款"))
    severity = serializers.ChoiceField(
        choices=FindingRecord.Severity.choices,
        help_text=_("该规则本身的级别；年内进度类问题可能以警告计入"),
    )
    error = serializers.IntegerField(
        allow_null=True, help_text=_("错误级问题数；尚未检查时为空（未知，不是0）")
    )
    warning = serializers.IntegerField(
        allow_null=True, help_text=_("警告级问题数；尚未检查时为空（未知，不是0）")
    )
    count = serializers.IntegerField(
        allow_null=True, help_text=_("问题合计；尚未检查时为空（未知，不是0）")
    )


# When the counted findings were found.
class ComplianceSnapshotSerializer(serializers.Serializer):
    as_of = serializers.DateField(
        allow_null=True,
        help_text=_("检查日期（数据截至哪一天）；尚未检查时为空"),
    )
    checked_at = serializers.DateTimeField(
        allow_null=True, help_text=_("该次检查完成的时间；尚未检查时为空")
    )
    checked = serializers.BooleanField(
        help_text=_("是否已有检查结果；为 false 时各项计数为空（未知），不是0")
    )
    message = serializers.CharField(
        allow_blank=True, help_text=_("尚未检查时为「尚未检查」的说明；否则为空")
    )


# Counts per rule and severity (every rule, clean ones at 0): one object, though
# the list route answers it.
@extend_schema_serializer(many=False)
class ComplianceSummarySerializer(ComplianceSnapshotSerializer):
    error = serializers.IntegerField(
        allow_null=True, help_text=_("错误级问题合计；尚未检查时为空")
    )
    warning = serializers.IntegerField(
        allow_null=True, help_text=_("警告级问题合计；尚未检查时为空")
    )
    total = serializers.IntegerField(
        allow_null=True, help_text=_("问题合计；尚未检查时为空")
    )
    count = serializers.IntegerField(help_text=_("规则数（results 的行数）"))
    count_capped = serializers.BooleanField(help_text=_("总为 false：规则数不设上限"))
    next = serializers.CharField(allow_null=True, help_text=_("总为空：只有一页"))
    previous = serializers.CharField(allow_null=True, help_text=_("总为空：只有一页"))
    results = ComplianceRuleCountSerializer(
        many=True, help_text=_("每条规则一行，按 rules.md 的顺序")
    )


# Counts of one rule, with the day they were found.
class ComplianceRuleSummarySerializer(
    ComplianceSnapshotSerializer, ComplianceRuleCountSerializer
):
    pass
