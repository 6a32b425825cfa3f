"""Request bodies of the membership writes: appointment, steps, insurance, unfit, replacement."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from teams.models import Membership
from teams.services import Step

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
            "干部的完整身份证号码：按号码精确查找，不在管辖范围内的干部也可选派"
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
