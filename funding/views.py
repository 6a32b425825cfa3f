"""Pages of working funds (五(二)): funds per team and year, spending, teams short.

Lists read ``funding.selectors`` (as the API and exports do), page 50 rows at a
time and export the whole list with ``?format=xlsx``; writes go through
``funding.services``. Outside the user's scope is 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors as yearly
from assessments.cycle import base_context, team_param, year_param
from assessments.forms import team_label
from funding import selectors
from funding.forms import FundForm, SpendingForm
from funding.models import Fund, Spending
from funding.services import (
    fund_create,
    fund_update,
    source_mismatch,
    spending_create,
    spending_delete,
)
from zhucun.access import get_scoped_or_404
from zhucun.pages import (
    add_errors,
    county_param,
    paginate,
    table_xlsx_response,
    wants_xlsx,
)

SOURCES = dict(Fund.Source.choices)


@login_required
@permission_required("funding.view_fund", raise_exception=True)
def fund_list(request):
    """A year's funds, with what was spent of each."""
    user = request.user
    counties = list(yearly.counties_for(user))
    county = county_param(request, counties)
    year = year_param(request)
    filters = {"year": year}
    if request.GET.get("source") in SOURCES:
        filters["source"] = request.GET["source"]
    funds = selectors.fund_list(user=user, filters=filters)
    if county is not None:
        funds = funds.filter(team__village__county=county)
    if wants_xlsx(request):
        title = _("%(place)s%(year)d年驻村工作经费") % {
            "place": county.name if county else "",
            "year": year,
        }
        return table_xlsx_response(
            filename=title,
            title=title,
            headers=[
                _("驻村工作队"),
                _("年度"),
                _("金额（元）"),
                _("经费来源"),
                _("到位日期"),
                _("已支出（元）"),
                _("余额（元）"),
            ],
            rows=(
                [
                    team_label(f.team),
                    f.year,
                    f.amount,
                    f.get_source_display(),
                    f.received_on,
                    f.spent,
                    f.amount - f.spent,
                ]
                for f in funds
            ),
        )
    page = paginate(request, funds)
    context = base_context(
        request,
        counties=counties,
        county=county,
        year=year,
        page=page,
        rows=[(f, f.amount - f.spent) for f in page],
        sources=Fund.Source.choices,
        source=filters.get("source", ""),
    )
    return render(request, "funding/fund_list.html", context)


def _teams_page(request, *, short_only: bool):
    user = request.user
    counties = list(yearly.counties_for(user))
    county = county_param(request, counties)
    year = year_param(request)
    teams = selectors.funding_by_team(
        user=user, year=year, county=county, short_only=short_only
    )
    least = selectors.funding_minimum()
    if wants_xlsx(request):
        title = (
            _("%(place)s%(year)d年工作经费不足%(least)s元的工作队")
            if short_only
            else _("%(place)s%(year)d年各工作队工作经费")
        ) % {
            "place": county.name if county else "",
            "year": year,
            "least": f"{least:,.0f}",
        }
        return table_xlsx_response(
            filename=title,
            title=title,
            headers=[
                _("驻村工作队"),
                _("已安排（元）"),
                _("已到位（元）"),
                _("差额（元）"),
                _("规定来源"),
            ],
            rows=(
                [
                    team_label(t),
                    t.allocated,
                    t.received,
                    max(least - t.received, 0),
                    SOURCES[selectors.suggested_source(t.village.county)],
                ]
                for t in teams
            ),
        )
    page = paginate(request, teams)
    rows = [
        (
            t,
            max(least - t.received, 0),
            SOURCES[selectors.suggested_source(t.village.county)],
        )
        for t in page
    ]
    context = base_context(
        request,
        counties=counties,
        county=county,
        year=year,
        page=page,
        rows=rows,
        least=least,
        short_only=short_only,
    )
    return render(request, "funding/teams.html", context)


@login_required
@permission_required("funding.view_fund", raise_exception=True)
def teams(request):
    """Every team in post in a year with its allocated and received funds."""
    return _teams_page(request, short_only=False)


@login_required
@permission_required("funding.view_fund", raise_exception=True)
def short(request):
    """Teams whose funds received for the year are below ¥20,000."""
    return _teams_page(request, short_only=True)


def _suggestions(teams) -> dict[str, str]:
    return {str(t.pk): selectors.suggested_source(t.village.county) for t in teams}


@login_required
@permission_required("funding.add_fund", raise_exception=True)
def fund_create_page(request):
    """Enter a team's funds for a year; the policy's source is suggested."""
    user = request.user
    year = year_param(request)
    teams = list(selectors.fund_teams(user=user, year=year))
    by_pk = {t.pk: t for t in teams}
    initial = {}
    chosen = by_pk.get(team_param(request))
    if chosen is not None:
        initial = {
            "team": chosen.pk,
            "source": selectors.suggested_source(chosen.village.county),
        }
    form = FundForm(
        request.POST or None,
        initial=initial,
        teams=selectors.fund_teams(user=user, year=year),
    )
    warning = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        warning = source_mismatch(team=data["team"], source=data["source"])
        if warning and not data["confirm_source"]:
            form.add_error(
                "source",
                warning + _("如确属特殊安排，请勾选“确认经费来源与建议不同”后再保存。"),
            )
        else:
            try:
                fund = fund_create(
                    team=data["team"],
                    year=year,
                    amount=data["amount"],
                    source=data["source"],
                    received_on=data["received_on"],
                    user=user,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                if warning:
                    messages.warning(request, warning)
                messages.success(request, _("已登记%(fund)s。") % {"fund": fund})
                return redirect("funding:fund-detail", fund.pk)
    context = base_context(
        request,
        counties=[],
        county=None,
        year=year,
        form=form,
        chosen=chosen,
        chosen_source=(
            SOURCES[selectors.suggested_source(chosen.village.county)] if chosen else ""
        ),
        suggestions=_suggestions(teams),
        source_labels=SOURCES,
    )
    return render(request, "funding/fund_form.html", context)


def _fund(request, pk: int) -> Fund:
    return get_scoped_or_404(
        request.user, selectors.fund_list(user=request.user), pk=pk
    )


@login_required
@permission_required("funding.view_fund", raise_exception=True)
def fund_detail(request, pk: int):
    """A fund, its spending entries and the form to add one."""
    user = request.user
    fund = _fund(request, pk)
    may_spend = user.has_perm("funding.add_spending")
    form = SpendingForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_spend:
            raise PermissionDenied
        if form.is_valid():
            try:
                spending_create(fund=fund, user=user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("已登记支出。"))
                return redirect("funding:fund-detail", fund.pk)
    spendings = selectors.spending_list(user=user, filters={"fund": fund.pk})
    if wants_xlsx(request):
        title = _("%(team)s%(year)d年工作经费支出") % {
            "team": team_label(fund.team),
            "year": fund.year,
        }
        return table_xlsx_response(
            filename=title,
            title=title,
            headers=[_("支出日期"), _("金额（元）"), _("用途")],
            rows=([s.spent_on, s.amount, s.purpose] for s in spendings),
        )
    context = {
        "fund": fund,
        "team_name": team_label(fund.team),
        "balance": fund.amount - fund.spent,
        "page": paginate(request, spendings),
        "form": form,
        "may_spend": may_spend,
        "may_delete": user.has_perm("funding.delete_spending"),
        "may_change": user.has_perm("funding.change_fund"),
        "warning": source_mismatch(team=fund.team, source=fund.source),
    }
    return render(request, "funding/fund_detail.html", context)


@login_required
@permission_required("funding.change_fund", raise_exception=True)
def fund_edit(request, pk: int):
    """Correct a fund's amount, source or arrival date."""
    user = request.user
    fund = _fund(request, pk)
    form = FundForm(
        request.POST or None,
        initial={
            "amount": fund.amount,
            "source": fund.source,
            "received_on": fund.received_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        warning = source_mismatch(team=fund.team, source=data["source"])
        if warning and not data["confirm_source"]:
            form.add_error(
                "source",
                warning + _("如确属特殊安排，请勾选“确认经费来源与建议不同”后再保存。"),
            )
        else:
            try:
                fund_update(
                    fund=fund,
                    amount=data["amount"],
                    source=data["source"],
                    received_on=data["received_on"],
                    user=user,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("已修改工作经费。"))
                return redirect("funding:fund-detail", fund.pk)
    suggested = selectors.suggested_source(fund.team.village.county)
    return render(
        request,
        "funding/fund_edit.html",
        {
            "fund": fund,
            "team_name": team_label(fund.team),
            "form": form,
            "suggested": SOURCES[suggested],
        },
    )


@login_required
@require_POST
@permission_required("funding.delete_spending", raise_exception=True)
def spending_delete_page(request, pk: int, spending_pk: int):
    """Remove a spending entry entered by mistake."""
    spending = get_scoped_or_404(
        request.user, Spending.objects.all(), pk=spending_pk, fund_id=pk
    )
    spending_delete(spending=spending, user=request.user)
    messages.success(request, _("已删除支出记录。"))
    return redirect("funding:fund-detail", pk)


@login_required
@permission_required("funding.view_spending", raise_exception=True)
def spending_list(request):
    """A year's spending entries across the user's teams."""
    user = request.user
    counties = list(yearly.counties_for(user))
    county = county_param(request, counties)
    year = year_param(request)
    rows = selectors.spending_list(user=user, filters={"year": year})
    if county is not None:
        rows = rows.filter(fund__team__village__county=county)
    if wants_xlsx(request):
        title = _("%(place)s%(year)d年工作经费支出") % {
            "place": county.name if county else "",
            "year": year,
        }
        return table_xlsx_response(
            filename=title,
            title=title,
            headers=[_("驻村工作队"), _("支出日期"), _("金额（元）"), _("用途")],
            rows=(
                [team_label(s.fund.team), s.spent_on, s.amount, s.purpose] for s in rows
            ),
        )
    context = base_context(
        request,
        counties=counties,
        county=county,
        year=year,
        page=paginate(request, rows),
    )
    return render(request, "funding/spending_list.html", context)
