"""Serializers of the yearly cycle's API: grades, training, target letters.

The viewsets (``assessments.yearly_api``) refuse a foreign key outside the user's
scope and call the services, which hold the rules.
"""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from teams.models import Membership, Person, Team
from teams.serializers import (
    PersonBriefSerializer,
    TeamBriefSerializer,
    UnitBriefSerializer,
)
from villages.serializers import RegionBriefSerializer

# --- grades (四(三)) ------------------------------------------------------------------

KIND_HELP = gettext_lazy("考核类型：annual 年度考核，term_end 期满考核")


class MembershipBriefSerializer(serializers.ModelSerializer):
    role_display = serializers.CharField(
        source="get_role_display", read_only=True, help_text=gettext_lazy("驻村职务")
    )
    team = TeamBriefSerializer(read_only=True, help_text=gettext_lazy("驻村工作队"))

    class Meta:
        model = Membership
        fields = ["id", "role", "role_display", "team"]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    person = PersonBriefSerializer(read_only=True, help_text=gettext_lazy("干部"))
    membership = MembershipBriefSerializer(
        read_only=True, help_text=gettext_lazy("考核所依据的驻村任职")
    )
    county = RegionBriefSerializer(
        source="membership.team.village.county",
        read_only=True,
        help_text=gettext_lazy("驻点村所属县（市、区）"),
    )
    unit = UnitBriefSerializer(
        source="membership.unit", read_only=True, help_text=gettext_lazy("派出单位")
    )
    # A plain string, not an enum: another resource's "kind" enum has the same
    # name in the schema (see KIND_HELP).
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    kind_display = serializers.CharField(
        source="get_kind_display", read_only=True, help_text=gettext_lazy("考核类型")
    )
    grade_display = serializers.CharField(
        source="get_grade_display", read_only=True, help_text=gettext_lazy("考核等次")
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "person",
            "membership",
            "county",
            "unit",
            "kind",
            "kind_display",
            "year",
            "grade",
            "grade_display",
            "villager_score",
            "cadre_score",
        ]
        read_only_fields = fields


def _score() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        allow_null=True,
        default=None,
    )


class AssessmentWriteSerializer(serializers.Serializer):
    membership = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.all(),
        help_text=gettext_lazy("被考核队员的驻村任职 id（须在管辖范围内）"),
    )
    year = serializers.IntegerField(help_text=gettext_lazy("考核年度"))
    grade = serializers.ChoiceField(choices=Assessment.Grade.choices)
    kind = serializers.CharField(default=Assessment.Kind.ANNUAL, help_text=KIND_HELP)
    villager_score = _score()
    cadre_score = _score()

    def validate_kind(self, value: str) -> str:
        if value not in Assessment.Kind.values:
            raise ValidationError(
                _("考核类型只能是 annual（年度考核）或 term_end（期满考核）。")
            )
        return value


class FindingSerializer(serializers.Serializer):
    """A finding of the rules engine, in the shape of the compliance API."""

    rule = serializers.CharField()
    severity = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.IntegerField()
    label = serializers.CharField()
    county_code = serializers.CharField()
    period = serializers.CharField()
    message = serializers.CharField()


class RecordTermSerializer(serializers.ModelSerializer):
    term = serializers.CharField(source="team.term.name", read_only=True)
    team = TeamBriefSerializer(read_only=True)
    county = RegionBriefSerializer(source="team.village.county", read_only=True)
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    unit = UnitBriefSerializer(read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "term",
            "team",
            "county",
            "role",
            "role_display",
            "unit",
            "start_date",
            "end_date",
        ]
        read_only_fields = fields


class RecordAttendanceSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    months = serializers.IntegerField(help_text=gettext_lazy("已记录月数"))
    in_post_days = serializers.IntegerField()
    leave_days = serializers.IntegerField()
    trip_days = serializers.IntegerField()


class RecordTrainingSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    days = serializers.DecimalField(max_digits=6, decimal_places=1)
    required = serializers.DecimalField(max_digits=4, decimal_places=1)
    met = serializers.BooleanField(help_text=gettext_lazy("达到全年要求"))


class PersonRecordSerializer(serializers.Serializer):
    """A person's record for the personnel file (记入个人档案)."""

    person = PersonBriefSerializer()
    terms = RecordTermSerializer(source="memberships", many=True)
    attendance = RecordAttendanceSerializer(many=True)
    training = RecordTrainingSerializer(many=True)
    assessments = AssessmentSerializer(many=True)
    findings = FindingSerializer(many=True)


class CapSerializer(serializers.Serializer):
    county = serializers.CharField(help_text=gettext_lazy("县（市、区）代码"))
    year = serializers.IntegerField()
    members = serializers.IntegerField(
        help_text=gettext_lazy("计入名额的队员数（不含第一书记）")
    )
    cap = serializers.IntegerField(help_text=gettext_lazy("优秀上限（向下取整）"))
    excellent = serializers.IntegerField(help_text=gettext_lazy("已评优秀人数"))
    remaining = serializers.IntegerField(help_text=gettext_lazy("尚余优秀名额"))


# --- training (四(二)) ----------------------------------------------------------------


class TrainingEventSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(
        source="get_level_display", read_only=True, help_text=gettext_lazy("举办层级")
    )
    attendees = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("管辖范围内的参训人数")
    )

    class Meta:
        model = TrainingEvent
        fields = [
            "id",
            "name",
            "level",
            "level_display",
            "start_date",
            "days",
            "attendees",
        ]
        read_only_fields = ["id", "level_display", "attendees"]


class TrainingRecordSerializer(serializers.ModelSerializer):
    event = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=gettext_lazy("培训班 id")
    )
    event_name = serializers.CharField(source="event.name", read_only=True)
    event_start_date = serializers.DateField(source="event.start_date", read_only=True)
    person = PersonBriefSerializer(read_only=True, help_text=gettext_lazy("干部"))

    class Meta:
        model = TrainingRecord
        fields = ["id", "event", "event_name", "event_start_date", "person", "days"]
        read_only_fields = fields


class TrainingRecordWriteSerializer(serializers.Serializer):
    event = serializers.PrimaryKeyRelatedField(queryset=TrainingEvent.objects.all())
    person = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        help_text=gettext_lazy("参训干部 id（须在管辖范围内）"),
    )
    days = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("参训天数；不填为培训班天数"),
    )


class TrainingDaysSerializer(serializers.Serializer):
    person = PersonBriefSerializer(source="*", read_only=True)
    training_days = serializers.DecimalField(
        max_digits=6, decimal_places=1, help_text=gettext_lazy("当年累计培训天数")
    )
    expected = serializers.DecimalField(
        max_digits=4, decimal_places=1, help_text=gettext_lazy("截至系统日期应达天数")
    )
    required = serializers.DecimalField(
        max_digits=4, decimal_places=1, help_text=gettext_lazy("全年要求天数")
    )
    behind = serializers.BooleanField(help_text=gettext_lazy("低于应达天数"))


# --- target letters (三) --------------------------------------------------------------


class TargetItemSerializer(serializers.ModelSerializer):
    letter = serializers.PrimaryKeyRelatedField(read_only=True)
    responsible = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=gettext_lazy("责任人（队员任职 id）")
    )
    responsible_name = serializers.CharField(
        source="responsible.person.name",
        read_only=True,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("责任人姓名"),
    )
    status_display = serializers.CharField(
        source="get_status_display", read_only=True, help_text=gettext_lazy("进度")
    )

    class Meta:
        model = TargetItem
        fields = [
            "id",
            "letter",
            "content",
            "responsible",
            "responsible_name",
            "status",
            "status_display",
            "evidence",
        ]
        read_only_fields = fields


class TargetLetterSerializer(serializers.ModelSerializer):
    team = TeamBriefSerializer(read_only=True, help_text=gettext_lazy("驻村工作队"))
    county = RegionBriefSerializer(source="team.village.county", read_only=True)
    item_count = serializers.IntegerField(read_only=True)
    done_count = serializers.IntegerField(read_only=True)
    unassigned_count = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("未明确责任人的任务数")
    )

    class Meta:
        model = TargetLetter
        fields = [
            "id",
            "team",
            "county",
            "year",
            "signed_on",
            "item_count",
            "done_count",
            "unassigned_count",
        ]
        read_only_fields = fields


class TargetLetterWriteSerializer(serializers.Serializer):
    team = serializers.PrimaryKeyRelatedField(
        queryset=Team.objects.all(), help_text=gettext_lazy("驻村工作队 id")
    )
    year = serializers.IntegerField()
    signed_on = serializers.DateField()


class TeamWithoutLetterSerializer(serializers.ModelSerializer):
    display_name = serializers.CharField(source="__str__", read_only=True)
    county = RegionBriefSerializer(source="village.county", read_only=True)

    class Meta:
        model = Team
        fields = ["id", "display_name", "county", "start_date", "end_date"]
        read_only_fields = fields


class TargetItemWriteSerializer(serializers.Serializer):
    letter = serializers.PrimaryKeyRelatedField(queryset=TargetLetter.objects.all())
    content = serializers.CharField(max_length=300)
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.all(),
        allow_null=True,
        required=False,
        default=None,
        help_text=gettext_lazy("责任人：该工作队当年在任队员的任职 id"),
    )
    status = serializers.ChoiceField(
        choices=TargetItem.Status.choices, default=TargetItem.Status.PLANNED
    )
    evidence = serializers.CharField(
        max_length=300, allow_blank=True, required=False, default=""
    )


class TargetItemPatchSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=300, required=False)
    responsible = serializers.PrimaryKeyRelatedField(
        queryset=Membership.objects.all(), allow_null=True, required=False
    )
    status = serializers.ChoiceField(choices=TargetItem.Status.choices, required=False)
    evidence = serializers.CharField(max_length=300, allow_blank=True, required=False)
