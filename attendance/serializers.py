"""API representations of part 四, and the payloads of its writes."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from attendance.models import (
    AttendanceRollup,
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    Reminder,
    TeamReport,
)
from teams.serializers import PersonBriefSerializer, TeamBriefSerializer
from villages.models import Household
from villages.serializers import RegionBriefSerializer


# Not a "date": the schema must describe the YYYY-MM the API reads and writes.
@extend_schema_field(
    {"type": "string", "pattern": r"^[0-9]{4}-(0[1-9]|1[0-2])$", "example": "2019-01"}
)
class MonthField(serializers.DateField):
    """A month as ``YYYY-MM`` (stored as its first day)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m")
        kwargs.setdefault("input_formats", ["%Y-%m"])
        kwargs.setdefault("help_text", _("月份，YYYY-MM"))
        super().__init__(**kwargs)


class AttendanceSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    person = PersonBriefSerializer(
        source="membership.person", read_only=True, help_text=_("队员")
    )
    team_id = serializers.IntegerField(
        source="membership.team_id", read_only=True, help_text=_("工作队的 id")
    )
    township = RegionBriefSerializer(
        source="membership.team.village.township",
        read_only=True,
        help_text=_("乡（镇）"),
    )

    class Meta:
        model = MonthlyAttendance
        fields = [
            "id",
            "membership",
            "person",
            "team_id",
            "township",
            "month",
            "in_post_days",
            "leave_days",
            "trip_days",
            "remark",
        ]
        read_only_fields = fields


class GridRowSerializer(serializers.Serializer):
    membership = serializers.IntegerField(help_text=_("队员任职的 id"))
    in_post_days = serializers.IntegerField(
        allow_null=True, required=False, help_text=_("在岗天数")
    )
    leave_days = serializers.IntegerField(
        allow_null=True, required=False, help_text=_("请假天数，空为0")
    )
    trip_days = serializers.IntegerField(
        allow_null=True, required=False, help_text=_("公务外出天数，空为0")
    )
    remark = serializers.CharField(
        allow_blank=True, required=False, default="", help_text=_("备注")
    )


class MonthOfTownshipSerializer(serializers.Serializer):
    township = serializers.CharField(max_length=12, help_text=_("乡（镇）代码"))
    month = MonthField()


class GridSaveSerializer(MonthOfTownshipSerializer):
    rows = GridRowSerializer(many=True, help_text=_("每名队员一行"))


class GridSaveResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("新增行数"))
    updated = serializers.IntegerField(help_text=_("修改行数"))
    unchanged = serializers.IntegerField(help_text=_("未变行数"))


class ReopenSerializer(MonthOfTownshipSerializer):
    reason = serializers.CharField(max_length=200, help_text=_("退回原因"))


class SubmissionSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    township = RegionBriefSerializer(read_only=True, help_text=_("乡（镇）"))
    county = RegionBriefSerializer(
        source="township.parent", read_only=True, help_text=_("县（市、区）")
    )
    submitted = serializers.SerializerMethodField(help_text=_("是否已报送（锁定）"))

    class Meta:
        model = AttendanceSubmission
        fields = [
            "id",
            "township",
            "county",
            "month",
            "submitted",
            "submitted_at",
            "first_submitted_at",
            "reopened_reason",
        ]
        read_only_fields = fields

    def get_submitted(self, obj) -> bool:
        return obj.submitted_at is not None


class CompletenessRowSerializer(serializers.Serializer):
    township_id = serializers.IntegerField()
    code = serializers.CharField(help_text=_("乡（镇）代码"))
    name = serializers.CharField(help_text=_("乡（镇）"))
    county_name = serializers.CharField(help_text=_("县（市、区）"))
    expected = serializers.IntegerField(help_text=_("应报人数"))
    recorded = serializers.IntegerField(help_text=_("已录入人数"))
    submitted = serializers.BooleanField(help_text=_("是否已报送"))
    submitted_at = serializers.DateTimeField(allow_null=True)
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    on_time = serializers.BooleanField(
        allow_null=True, help_text=_("是否按时（首次报送不晚于期限）；未报送为空")
    )
    overdue = serializers.BooleanField(help_text=_("已过期限仍未报送"))
    due = serializers.DateField(help_text=_("报送期限"))
    reopened_reason = serializers.CharField()


class HouseholdBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Household
        fields = ["id", "head_name"]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    team = TeamBriefSerializer(read_only=True)
    household = HouseholdBriefSerializer(read_only=True)
    person = PersonBriefSerializer(
        source="membership.person", read_only=True, allow_null=True
    )

    class Meta:
        model = HouseholdVisit
        fields = [
            "id",
            "team",
            "household",
            "membership",
            "person",
            "visited_on",
            "notes",
        ]
        read_only_fields = fields


class VisitCreateSerializer(serializers.Serializer):
    team = serializers.IntegerField(help_text=_("工作队的 id"))
    household = serializers.IntegerField(help_text=_("农户的 id"))
    membership = serializers.IntegerField(help_text=_("走访队员任职的 id"))
    visited_on = serializers.DateField(help_text=_("走访日期"))
    notes = serializers.CharField(
        max_length=500, allow_blank=True, required=False, default=""
    )


class ReportSerializer(serializers.ModelSerializer):
    team = TeamBriefSerializer(read_only=True)

    class Meta:
        model = TeamReport
        fields = [
            "id",
            "team",
            "year",
            "quarter",
            "thinking",
            "work",
            "study",
            "submitted_on",
        ]
        read_only_fields = fields


class ReportCreateSerializer(serializers.Serializer):
    team = serializers.IntegerField(help_text=_("工作队的 id"))
    quarter = serializers.RegexField(
        r"^\d{4}[Qq][1-4]$", help_text=_("季度，如 2022Q4")
    )
    thinking = serializers.CharField(help_text=_("思想情况"))
    work = serializers.CharField(help_text=_("工作情况"))
    study = serializers.CharField(help_text=_("学习情况"))
    submitted_on = serializers.DateField(
        required=False, allow_null=True, help_text=_("报告日期，默认今天")
    )


class MeetingSerializer(serializers.ModelSerializer):
    county = RegionBriefSerializer(read_only=True)
    attendees = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text=_("参会队员任职的 id")
    )

    class Meta:
        model = LeaderMeeting
        fields = ["id", "county", "held_on", "minutes", "attendees"]
        read_only_fields = fields


class MeetingCreateSerializer(serializers.Serializer):
    county = serializers.CharField(max_length=12, help_text=_("县（市、区）代码"))
    held_on = serializers.DateField(help_text=_("会议日期"))
    minutes = serializers.CharField(help_text=_("会议纪要"))
    attendees = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        default=list,
        help_text=_("参会队员任职的 id"),
    )


class RollupSerializer(serializers.ModelSerializer):
    month = MonthField(read_only=True)
    region = RegionBriefSerializer(read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    rate = serializers.DecimalField(
        max_digits=6,
        decimal_places=4,
        read_only=True,
        allow_null=True,
        coerce_to_string=False,
        help_text=_("在岗率 = 在岗天数 ÷ 应在岗天数"),
    )

    class Meta:
        model = AttendanceRollup
        fields = [
            "id",
            "level",
            "level_display",
            "region",
            "team",
            "month",
            "members_expected",
            "members_recorded",
            "in_post_days",
            "leave_days",
            "trip_days",
            "days_possible",
            "rate",
            "computed_at",
        ]
        read_only_fields = fields


class ReminderSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    recipient = serializers.CharField(
        source="recipient.username", read_only=True, help_text=_("接收人用户名")
    )

    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "kind_display",
            "period",
            "object_id",
            "object_label",
            "message",
            "link",
            "recipient",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class ReadCountSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("标为已读的条数"))
