"""Working funds per team and year (五(二): 每队每年不低于2万元), and spending against them."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from teams.models import Team


class Fund(models.Model):
    """An allocation of working funds to a team for a year."""

    class Source(models.TextChoices):
        PROVINCIAL = "provincial", _("省级财政")
        COUNTY = "county", _("县级财政")

    team = models.ForeignKey(
        Team,
        verbose_name=_("驻村工作队"),
        on_delete=models.PROTECT,
        related_name="funds",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    source = models.CharField(_("经费来源"), max_length=12, choices=Source.choices)
    received_on = models.DateField(_("到位日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作经费")
        verbose_name_plural = _("工作经费")
        ordering = ["-year", "team_id"]
        indexes = [models.Index(fields=["team", "year"], name="fund_team_year_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=Decimal("0")), name="fund_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年工作经费 {self.amount}元"


class Spending(models.Model):
    """Money spent from a team's funds."""

    fund = models.ForeignKey(
        Fund, verbose_name=_("经费"), on_delete=models.CASCADE, related_name="spendings"
    )
    spent_on = models.DateField(_("支出日期"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    purpose = models.CharField(_("用途"), max_length=200)

    class Meta:
        verbose_name = _("经费支出")
        verbose_name_plural = _("经费支出")
        ordering = ["-spent_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=Decimal("0")), name="spending_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.spent_on} {self.purpose} {self.amount}元"
