"""Target responsibility letters and their items (三)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors
from assessments.cycle import base_context, team_param, year_param
from assessments.forms import (
    ItemProgressForm,
    TargetItemForm,
    TargetLetterForm,
    team_label,
)
from assessments.models import TargetItem, TargetLetter
from assessments.services import (
    target_item_add,
    target_item_delete,
    target_item_progress,
    target_item_update,
    target_letter_create,
)
from zhucun import clock
from zhucun.access import get_scoped_or_404
from zhucun.pages import (
    add_errors,
    county_param,
    paginate,
    table_xlsx_response,
    wants_xlsx,
)


@login_required
@permission_required("assessments.view_targetletter", raise_exception=True)
def letter_list(request):
    """A year's letters with the progress of their checklists."""
    user = request.user
    counties = list(selectors.counties_for(user))
    county = county_param(request, counties)
    year = year_param(request)
    letters = selectors.target_letter_list(user=user, filters={"year": year})
    if county is not None:
        letters = letters.filter(team__village__county=county)
    if wants_xlsx(request):
        title = _("%(place)s%(year)d年目标责任书") % {
            "place": county.name if county else "",
            "year": year,
        }
        return table_xlsx_response(
            filename=title,
            title=title,
            headers=[
                _("驻村工作队"),
                _("签订日期"),
                _("目标任务数"),
                _("已完成"),
                _("未明确责任人"),
            ],
            rows=(
                [
                    team_label(letter.team),
                    letter.signed_on,
                    letter.item_count,
                    letter.done_count,
                    letter.unassigned_count,
                ]
                for letter in letters
            ),
        )
    context = base_context(
        request,
        counties=counties,
        county=county,
        year=year,
        page=paginate(request, letters),
    )
    return render(request, "assessments/yearly/letter_list.html", context)


@login_required
@permission_required("assessments.view_targetletter", raise_exception=True)
def letter_missing(request):
    """Teams in post in a year that have no letter for it yet."""
    user = request.user
    counties = list(selectors.counties_for(user))
    county = county_param(request, counties)
    year = year_param(request)
    teams = selectors.teams_without_letter(user=user, year=year, county=county)
    if wants_xlsx(request):
        title = _("%(place)s%(year)d年尚未签订目标责任书的工作队") % {
            "place": county.name if county else "",
            "year": year,
        }
        return table_xlsx_response(
            filename=title,
            title=title,
            headers=[_("驻村工作队"), _("驻村期次"), _("派驻日期")],
            rows=([team_label(t), t.term.name, t.start_date] for t in teams),
        )
    context = base_context(
        request,
        counties=counties,
        county=county,
        year=year,
        page=paginate(request, teams),
    )
    return render(request, "assessments/yearly/letter_missing.html", context)


@login_required
@permission_required("assessments.add_targetletter", raise_exception=True)
def letter_create(request):
    """Sign a team's letter for a year."""
    user = request.user
    counties = list(selectors.counties_for(user))
    county = county_param(request, counties)
    year = year_param(request)
    teams = selectors.letter_teams(user=user, year=year, county=county)
    team = team_param(request)
    initial = {"team": team} if team else {}
    form = TargetLetterForm(request.POST or None, initial=initial, teams=teams)
    if request.method == "POST" and form.is_valid():
        try:
            letter = target_letter_create(
                team=form.cleaned_data["team"],
                year=year,
                signed_on=form.cleaned_data["signed_on"],
                user=user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, _("已登记目标责任书，请逐项列出目标任务并明确责任人。")
            )
            return redirect("assessments:letter-detail", letter.pk)
    context = base_context(
        request, counties=counties, county=county, year=year, form=form
    )
    return render(request, "assessments/yearly/letter_form.html", context)


def _letter(request, pk: int) -> TargetLetter:
    return get_scoped_or_404(
        request.user, selectors.target_letter_list(user=request.user), pk=pk
    )


@login_required
@permission_required("assessments.view_targetletter", raise_exception=True)
def letter_detail(request, pk: int):
    """A letter's checklist: each item's member, status and evidence."""
    user = request.user
    letter = _letter(request, pk)
    members = selectors.letter_members(letter)
    may_add = user.has_perm("assessments.add_targetitem")
    form = TargetItemForm(
        request.POST if request.method == "POST" else None, members=members
    )
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                target_item_add(letter=letter, user=user, **form.cleaned_data)
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("已添加目标任务。"))
                return redirect("assessments:letter-detail", letter.pk)
    items = list(selectors.target_items_of(letter))
    may_change = user.has_perm("assessments.change_targetitem")
    context = {
        "letter": letter,
        "team_name": team_label(letter.team),
        "items": [
            (
                item,
                ItemProgressForm(
                    initial={"status": item.status, "evidence": item.evidence},
                    prefix=f"i{item.pk}",
                ),
            )
            for item in items
        ],
        "form": form,
        "may_add": may_add,
        "may_change": may_change,
        "today": clock.today(),
    }
    if wants_xlsx(request):
        title = _("%(team)s%(year)d年目标责任书") % {
            "team": team_label(letter.team),
            "year": letter.year,
        }
        return table_xlsx_response(
            filename=title,
            title=title,
            headers=[_("目标任务"), _("责任人"), _("进度"), _("佐证材料")],
            rows=(
                [
                    item.content,
                    item.responsible.person.name if item.responsible else "",
                    item.get_status_display(),
                    item.evidence,
                ]
                for item in items
            ),
        )
    return render(request, "assessments/yearly/letter_detail.html", context)


def _item(request, pk: int, item_pk: int) -> TargetItem:
    return get_scoped_or_404(
        request.user,
        TargetItem.objects.select_related(
            "letter__team__village__county", "letter__team__village__township"
        ),
        pk=item_pk,
        letter_id=pk,
    )


@login_required
@permission_required("assessments.change_targetitem", raise_exception=True)
def item_edit(request, pk: int, item_pk: int):
    """Reword an item, assign it to another member, or remove it."""
    user = request.user
    item = _item(request, pk, item_pk)
    members = selectors.letter_members(item.letter)
    if request.method == "POST" and request.POST.get("delete"):
        if not user.has_perm("assessments.delete_targetitem"):
            raise PermissionDenied
        target_item_delete(item=item, user=user)
        messages.success(request, _("已删除目标任务。"))
        return redirect("assessments:letter-detail", pk)
    form = TargetItemForm(
        request.POST or None,
        initial={"content": item.content, "responsible": item.responsible_id},
        members=members,
    )
    if request.method == "POST" and form.is_valid():
        try:
            target_item_update(item=item, user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已修改目标任务。"))
            return redirect("assessments:letter-detail", pk)
    return render(
        request,
        "assessments/yearly/item_form.html",
        {
            "item": item,
            "letter": item.letter,
            "team_name": team_label(item.letter.team),
            "form": form,
            "may_delete": user.has_perm("assessments.delete_targetitem"),
        },
    )


@login_required
@require_POST
@permission_required("assessments.change_targetitem", raise_exception=True)
def item_progress(request, pk: int, item_pk: int):
    """Record an item's status and evidence (the team's progress)."""
    item = _item(request, pk, item_pk)
    form = ItemProgressForm(request.POST, prefix=f"i{item.pk}")
    if form.is_valid():
        try:
            target_item_progress(item=item, user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
    if form.errors:
        for errors in form.errors.values():
            for error in errors:
                messages.error(
                    request,
                    _("“%(item)s”未保存：%(error)s") % {"item": item, "error": error},
                )
    else:
        messages.success(request, _("已更新“%(item)s”的进度。") % {"item": item})
    return redirect("assessments:letter-detail", pk)
