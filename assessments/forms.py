"""Forms of the yearly cycle's pages: grading, training and target letters."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment, TargetItem, TrainingEvent
from teams.models import Membership, Person, Team

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def score_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))],
        widget=forms.NumberInput(attrs={"step": "0.01", "min": 0, "max": 100}),
    )


class GradeRowForm(forms.Form):
    """One row of the grading page (prefixed by the membership's id)."""

    grade = forms.ChoiceField(
        label=_("考核等次"),
        required=False,
        choices=[("", "—")] + list(Assessment.Grade.choices),
    )
    villager_score = score_field(_("村民测评"))
    cadre_score = score_field(_("村干部评议"))

    def clean(self):
        data = super().clean()
        scored = (
            data.get("villager_score") is not None
            or data.get("cadre_score") is not None
        )
        if not data.get("grade") and scored:
            self.add_error("grade", _("填写测评分数时，请同时选择考核等次。"))
        return data


class TrainingEventForm(forms.Form):
    name = forms.CharField(label=_("培训名称"), max_length=128)
    level = forms.ChoiceField(label=_("举办层级"), choices=TrainingEvent.Level.choices)
    start_date = forms.DateField(label=_("开始日期"), widget=DATE_INPUT)
    days = forms.DecimalField(
        label=_("天数"),
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
    )


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.name


class AttendeeAddForm(forms.Form):
    """The people ticked in the search results, and their days on the course."""

    people = PeopleChoiceField(
        label=_("参训人员"),
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少勾选一名参训人员。")},
    )
    days = forms.DecimalField(
        label=_("参训天数"),
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        help_text=_("留空表示全程参训（培训班天数）"),
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = candidates


def team_label(team: Team) -> str:
    """昭觉县某镇某村驻村工作队（2021年派驻）: tells two terms' teams apart."""
    village = team.village
    return _("%(place)s驻村工作队（%(year)d年派驻）") % {
        "place": f"{village.county.name}{village.township.name}{village.name}",
        "year": team.start_date.year,
    }


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Team) -> str:
        return team_label(obj)


class TargetLetterForm(forms.Form):
    team = TeamChoiceField(label=_("驻村工作队"), queryset=Team.objects.none())
    signed_on = forms.DateField(label=_("签订日期"), widget=DATE_INPUT)

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.person.name}（{obj.get_role_display()}）"


class TargetItemForm(forms.Form):
    content = forms.CharField(label=_("目标任务"), max_length=300)
    responsible = MemberChoiceField(
        label=_("责任人"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("（未指定）"),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = members


class ItemProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("进度"), choices=TargetItem.Status.choices)
    evidence = forms.CharField(label=_("佐证材料"), max_length=300, required=False)
