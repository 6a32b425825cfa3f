"""Forms of the attendance pages. Business checks live in the services."""

import datetime
import re

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.services import GridEntry
from zhucun import clock

_CELL = re.compile(r"^m(\d+)-(in_post_days|leave_days|trip_days|remark)$")


def grid_input_name(membership_id: int, field: str) -> str:
    """The name of one cell's input: ``m<membership id>-<field>``."""
    return f"m{membership_id}-{field}"


def parse_grid(data) -> tuple[list[GridEntry], list[tuple[int, str, str]]]:
    """Entries from the posted cells, and the cells that are not whole numbers.

    Every input named ``m<membership id>-<field>`` is read; which members may be
    saved is the service's business.
    """
    values: dict[int, dict] = {}
    bad: list[tuple[int, str, str]] = []
    for name, text in data.items():
        match = _CELL.match(name)
        if not match:
            continue
        membership_id, field = int(match[1]), match[2]
        row = values.setdefault(membership_id, {})
        text = (text or "").strip()
        if field == "remark":
            row["remark"] = text
        elif text:
            try:
                row[field] = int(text)
            except ValueError:
                bad.append((membership_id, field, text))
    entries = [
        GridEntry(membership_id=membership_id, **row)
        for membership_id, row in sorted(values.items())
    ]
    return entries, bad


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("退回原因"),
        max_length=200,
        widget=forms.TextInput(attrs={"size": 40}),
    )


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=gettext_lazy("走访日期"), widget=_DateInput())
    membership = forms.ModelChoiceField(
        label=gettext_lazy("走访队员"), queryset=None, empty_label=None
    )
    household = forms.ModelChoiceField(
        label=gettext_lazy("农户"),
        queryset=None,
        empty_label=gettext_lazy("请选择农户"),
    )
    notes = forms.CharField(
        label=gettext_lazy("走访情况"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 40}),
    )

    def __init__(self, *args, members, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["membership"].queryset = members
        self.fields["membership"].label_from_instance = lambda m: (
            f"{m.person.name}（{m.get_role_display()}）"
        )
        self.fields["household"].queryset = households
        self.fields["household"].label_from_instance = lambda h: (
            f"{h.head_name}（{h.pk}）" + (_("·必访户") if h.is_priority else "")
        )
        self.fields["visited_on"].initial = clock.today()


class ReportForm(forms.Form):
    thinking = forms.CharField(
        label=gettext_lazy("思想情况"), widget=forms.Textarea(attrs={"rows": 4})
    )
    work = forms.CharField(
        label=gettext_lazy("工作情况"), widget=forms.Textarea(attrs={"rows": 6})
    )
    study = forms.CharField(
        label=gettext_lazy("学习情况"), widget=forms.Textarea(attrs={"rows": 4})
    )
    submitted_on = forms.DateField(
        label=gettext_lazy("报告日期"), widget=_DateInput(), required=False
    )


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=gettext_lazy("会议日期"), widget=_DateInput())
    minutes = forms.CharField(
        label=gettext_lazy("会议纪要"), widget=forms.Textarea(attrs={"rows": 6})
    )
    attendees = forms.ModelMultipleChoiceField(
        label=gettext_lazy("参会队长、第一书记"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, candidates, default_day: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = candidates
        self.fields["attendees"].label_from_instance = lambda m: (
            f"{m.team.village.township.name}{m.team.village.name} "
            f"{m.person.name}（{m.get_role_display()}）"
        )
        self.fields["held_on"].initial = default_day
