"""Forms of the funding pages: a team's funds for a year and the spending from them."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.forms import DATE_INPUT, TeamChoiceField
from funding.models import Fund
from teams.models import Team


def money_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01"}),
    )


class FundForm(forms.Form):
    """A fund; a source other than the suggested one needs ``confirm_source``."""

    team = TeamChoiceField(label=_("驻村工作队"), queryset=Team.objects.none())
    amount = money_field(_("金额（元）"))
    source = forms.ChoiceField(
        label=_("经费来源"), choices=[("", "---------"), *Fund.Source.choices]
    )
    received_on = forms.DateField(
        label=_("到位日期"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("经费尚未到位时留空"),
    )
    confirm_source = forms.BooleanField(
        label=_("确认经费来源与建议不同"), required=False
    )

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        if teams is None:
            del self.fields["team"]
        else:
            self.fields["team"].queryset = teams


class SpendingForm(forms.Form):
    spent_on = forms.DateField(label=_("支出日期"), widget=DATE_INPUT)
    amount = money_field(_("金额（元）"))
    purpose = forms.CharField(label=_("用途"), max_length=200)
