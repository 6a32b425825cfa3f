"""Forms of the team pages and the appointment workflow (二(四))."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from teams.figures import TeamStatus
from teams.models import Membership, Term
from teams.selectors import person_by_id_number
from teams.team_selectors import ALL_STATUSES, TEAM_SORTS
from zhucun import clock

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TeamFilterForm(forms.Form):
    """The team list's search, filters and sort (all optional, from the query string)."""

    q = forms.CharField(label=_("村名"), required=False, max_length=64)
    region = forms.CharField(label=_("地区"), required=False, max_length=12)
    term = forms.ModelChoiceField(
        label=_("驻村期次"),
        queryset=Term.objects.all(),
        required=False,
        empty_label=_("全部"),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[
            *TeamStatus.choices,
            (ALL_STATUSES, _("全部")),
        ],
    )
    short = forms.BooleanField(label=_("人数不足"), required=False)
    liangshan = forms.BooleanField(label=_("凉山州"), required=False)
    sort = forms.ChoiceField(
        label=_("排序"),
        required=False,
        choices=[(key, label) for key, (label, _order) in TEAM_SORTS.items()],
    )

    def filters(self) -> dict:
        """The cleaned values as ``team_rows`` filters (invalid ones dropped)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "q": data.get("q", ""),
            "region": data.get("region", ""),
            "term": data["term"].pk if data.get("term") else "",
            "status": data.get("status") or TeamStatus.IN_POST,
            "short": data.get("short", False),
            "liangshan": data.get("liangshan", False),
            "sort": data.get("sort", ""),
        }


class StepForm(forms.Form):
    """The date of one appointment step (defaults to the system's today)."""

    on = forms.DateField(label=_("办理日期"), widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"on": clock.today()})
        super().__init__(*args, **kwargs)


class MarkUnfitForm(forms.Form):
    """The county marks a member unfit and gives the unit a deadline."""

    membership = forms.ModelChoiceField(
        label=_("队员"), queryset=Membership.objects.none()
    )
    on = forms.DateField(label=_("认定日期"), widget=DATE_INPUT)
    deadline = forms.DateField(label=_("召回调整期限"), widget=DATE_INPUT)

    def __init__(self, *args, memberships=(), **kwargs):
        kwargs.setdefault("initial", {"on": clock.today()})
        super().__init__(*args, **kwargs)
        ids = [m.pk for m in memberships]
        self.fields["membership"].queryset = Membership.objects.filter(pk__in=ids)
        self.fields["membership"].choices = [("", "—")] + [
            (m.pk, f"{m.person.name}（{m.get_role_display()}，{m.unit.name}）")
            for m in memberships
        ]


class CandidateMixin(forms.Form):
    """A cadre named by 身份证号码 or chosen from the list; ``person`` when clean."""

    id_number = forms.CharField(
        label=_("身份证号码"),
        required=False,
        max_length=18,
        help_text=_("填写身份证号码，或在下面选择干部。"),
    )
    person = forms.ModelChoiceField(
        label=_("干部"), queryset=None, required=False, empty_label="—"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean(self):
        data = super().clean()
        raw = (data.get("id_number") or "").strip()
        if raw:
            try:
                data["person"] = person_by_id_number(user=self.user, raw=raw)
            except ValidationError as exc:
                self.add_error("id_number", exc.messages)
        elif not data.get("person") and "person" not in self.errors:
            self.add_error("person", _("请填写身份证号码或选择干部。"))
        return data


class ProposeForm(CandidateMixin):
    """A unit proposes a candidate for a team (单位党委推荐)."""

    team = forms.ModelChoiceField(label=_("驻村工作队"), queryset=None)
    role = forms.ChoiceField(label=_("驻村职务"), choices=Membership.Role.choices)
    is_leader = forms.BooleanField(label=_("兼任队长"), required=False)
    sector = forms.ChoiceField(
        label=_("行业系统"),
        choices=Membership.Sector.choices,
        initial=Membership.Sector.OTHER,
    )
    unit = forms.ModelChoiceField(label=_("派出单位"), queryset=None)
    start_date = forms.DateField(label=_("驻村起始时间"), widget=DATE_INPUT)
    proposed_on = forms.DateField(label=_("单位党委推荐日期"), widget=DATE_INPUT)

    def __init__(self, *args, people, teams, units, own_unit=None, **kwargs):
        kwargs.setdefault("initial", {"proposed_on": clock.today()})
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["team"].queryset = teams
        self.fields["team"].label_from_instance = lambda t: (
            f"{t.village.township.name}{t.village.name}（{t.term.name}）"
        )
        self.fields["unit"].queryset = units
        if own_unit is not None:
            # A unit proposes its own cadres: the field is fixed, not offered.
            self.fields["unit"].initial = own_unit.pk
            self.fields["unit"].widget = forms.HiddenInput()
            self.fields["unit"].disabled = True
        self.order_fields(
            [
                "team",
                "id_number",
                "person",
                "role",
                "is_leader",
                "sector",
                "unit",
                "start_date",
                "proposed_on",
            ]
        )


class ReplaceForm(CandidateMixin):
    """The unit proposes the replacement of an unfit member; the old one's service ends."""

    start_date = forms.DateField(label=_("接替人员驻村起始时间"), widget=DATE_INPUT)
    proposed_on = forms.DateField(label=_("单位党委推荐日期"), widget=DATE_INPUT)
    confirm = forms.BooleanField(
        label=_("确认：原队员的驻村任职将于接替人员到村前一日结束"),
        required=True,
        error_messages={"required": _("请确认结束原队员的驻村任职。")},
    )

    def __init__(self, *args, people, **kwargs):
        kwargs.setdefault("initial", {"proposed_on": clock.today()})
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
