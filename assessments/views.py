"""Pages of the county's yearly cycle: grading, training, target letters, the record.

Every list reads its rows from ``assessments.selectors`` (the API and the xlsx
export read the same), pages 50 rows at a time and offers the whole list as a
workbook with ``?format=xlsx``. Every write goes through ``assessments.services``.
A county outside the user's scope, like any row outside it, answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors
from assessments.cycle import base_context, team_param, year_param
from assessments.forms import (
    AttendeeAddForm,
    GradeRowForm,
    ItemProgressForm,
    TargetItemForm,
    TargetLetterForm,
    TrainingEventForm,
    team_label,
)
from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from assessments.services import (
    assessment_grade,
    target_item_add,
    target_item_delete,
    target_item_progress,
    target_item_update,
    target_letter_create,
    training_attendance_add,
    training_attendance_remove,
    training_event_create,
)
from teams.models import Membership, Person, Term
from zhucun import clock
from zhucun.access import get_scoped_or_404
from zhucun.formats import days_text
from zhucun.id_numbers import mask_id_number
from zhucun.pages import (
    add_errors,
    county_param,
    paginate,
    table_xlsx_response,
    wants_xlsx,
)
from zhucun.periods import last_completed_year

EXCELLENT = Assessment.Grade.EXCELLENT


@login_required
def index(request):
    """The yearly cycle's pages, as the user's permissions allow."""
    return render(request, "assessments/yearly/index.html", {"today": clock.today()})


# --- annual and term-end grading (四(三)) --------------------------------------------


def _grade_changed(row: selectors.GradingRow, data: dict) -> bool:
    if not data.get("grade"):
        return False
    held = row.assessment
    if held is None:
        return True
    return (
        held.grade != data["grade"]
        or held.villager_score != data.get("villager_score")
        or held.cadre_score != data.get("cadre_score")
    )


def _save_grades(request, rows, forms, *, year: int, kind: str) -> tuple[int, int]:
    """Save the changed rows, each in its own transaction; refusals go on the rows.

    Rows giving up 优秀 are saved first, then the others, then the new 优秀, so that
    a place freed on the page can be taken on the same page.
    """

    def order(row) -> int:
        grade = forms[row.membership.pk].cleaned_data["grade"]
        was_excellent = row.assessment is not None and row.assessment.grade == EXCELLENT
        if was_excellent and grade != EXCELLENT:
            return 0
        return 2 if grade == EXCELLENT else 1

    changed = [
        row
        for row in rows
        if forms[row.membership.pk].is_valid()
        and _grade_changed(row, forms[row.membership.pk].cleaned_data)
    ]
    saved = refused = 0
    for row in sorted(changed, key=order):
        form = forms[row.membership.pk]
        data = form.cleaned_data
        try:
            assessment_grade(
                membership=row.membership,
                year=year,
                grade=data["grade"],
                kind=kind,
                villager_score=data.get("villager_score"),
                cadre_score=data.get("cadre_score"),
                user=request.user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
            refused += 1
        else:
            saved += 1
    refused += sum(
        1 for row in rows if forms[row.membership.pk].errors and row not in changed
    )
    return saved, refused


def _grading_page(request, *, kind: str):
    user = request.user
    counties = list(selectors.counties_for(user))
    county = county_param(request, counties)
    term = None
    terms: list[Term] = []
    if kind == Assessment.Kind.TERM_END:
        terms = list(selectors.terms_for_term_end())
        term = _term_param(request, terms)
        year = selectors.term_end_year(term) if term else clock.today().year
    else:
        year = year_param(request)
    template = (
        "assessments/yearly/grading.html"
        if kind == Assessment.Kind.ANNUAL
        else "assessments/yearly/term_end.html"
    )
    context = base_context(
        request,
        counties=counties,
        county=county,
        year=year,
        terms=terms,
        term=term,
        kind=kind,
        may_grade=user.has_perm("assessments.add_assessment")
        and user.has_perm("assessments.change_assessment"),
    )
    if county is None or (kind == Assessment.Kind.TERM_END and term is None):
        if request.method == "POST":
            raise Http404(_("请先选择县（市、区）。"))
        return render(request, template, context)
    people = selectors.grading_people(user=user, county=county, year=year, term=term)
    if wants_xlsx(request):
        return _grading_xlsx(user, county, year, term, kind, people)
    page = paginate(request, people)
    rows = selectors.grading_rows(
        user=user, county=county, year=year, people=list(page), kind=kind, term=term
    )
    forms = {}
    for row in rows:
        held = row.assessment
        initial = (
            {
                "grade": held.grade,
                "villager_score": held.villager_score,
                "cadre_score": held.cadre_score,
            }
            if held
            else {}
        )
        forms[row.membership.pk] = GradeRowForm(
            request.POST if request.method == "POST" else None,
            initial=initial,
            prefix=f"m{row.membership.pk}",
        )
    if request.method == "POST":
        if not context["may_grade"]:
            raise PermissionDenied
        saved, refused = _save_grades(request, rows, forms, year=year, kind=kind)
        if refused:
            messages.error(
                request,
                _("已保存%(saved)d人；%(refused)d人未保存，请看该行的提示。")
                % {"saved": saved, "refused": refused},
            )
        else:
            messages.success(
                request, _("已保存%(saved)d人的考核等次。") % {"saved": saved}
            )
            return redirect(request.get_full_path())
    if kind == Assessment.Kind.ANNUAL:
        context["cap"] = selectors.excellent_cap_summary(county=county, year=year)
    context.update(page=page, rows=[(row, forms[row.membership.pk]) for row in rows])
    return render(request, template, context)


def _term_param(request, terms: list[Term]) -> Term | None:
    raw = request.GET.get("term")
    if raw:
        for term in terms:
            if str(term.pk) == raw:
                return term
        raise Http404(_("驻村期次不存在。"))
    today = clock.today()
    ended = [t for t in terms if t.end_date <= today]
    return ended[0] if ended else (terms[0] if terms else None)


def _grading_xlsx(user, county, year, term, kind, people: QuerySet[Person]):
    rows = selectors.grading_rows(
        user=user, county=county, year=year, people=list(people), kind=kind, term=term
    )
    title = (
        _("%(county)s%(year)d年度驻村工作队队员考核")
        if kind == Assessment.Kind.ANNUAL
        else _("%(county)s%(year)d年驻村工作队队员期满考核")
    ) % {"county": county.name, "year": year}

    def cells(row: selectors.GradingRow):
        held = row.assessment
        return [
            row.person.name,
            row.membership.get_role_display(),
            team_label(row.membership.team),
            row.membership.unit.name,
            held.get_grade_display() if held else "",
            held.villager_score if held else None,
            held.cadre_score if held else None,
            _("是") if row.counts_for_cap else _("否（第一书记）"),
        ]

    return table_xlsx_response(
        filename=title,
        title=title,
        headers=[
            _("姓名"),
            _("驻村职务"),
            _("驻村工作队"),
            _("派出单位"),
            _("考核等次"),
            _("村民测评"),
            _("村干部评议"),
            _("计入优秀名额"),
        ],
        rows=(cells(row) for row in rows),
    )


@login_required
@permission_required("assessments.view_assessment", raise_exception=True)
def grading(request):
    """A county's annual grading (年度考核) with the 优秀 places left under the cap."""
    return _grading_page(request, kind=Assessment.Kind.ANNUAL)


@login_required
@permission_required("assessments.view_assessment", raise_exception=True)
def term_end(request):
    """The term-end assessment (期满考核) of those serving in a term's last year."""
    return _grading_page(request, kind=Assessment.Kind.TERM_END)


@login_required
@permission_required("assessments.view_assessment", raise_exception=True)
def barred(request):
    """Units barred from excellence for a year (四(三) 不称职, 四(四) 未脱贫)."""
    user = request.user
    counties = list(selectors.counties_for(user))
    county = county_param(request, counties)
    year = year_param(request, default=last_completed_year(clock.today()))
    findings = selectors.barred_units(user=user, year=year, county=county)
    if wants_xlsx(request):
        title = _("%(place)s%(year)d年度不得评先评优的派出单位") % {
            "place": county.name if county else "",
            "year": year,
        }
        return table_xlsx_response(
            filename=title,
            title=title,
            headers=[_("派出单位"), _("县（市、区）代码"), _("规则"), _("说明")],
            rows=([f.label, f.county_code, f.rule, f.message] for f in findings),
            text_columns=[1],
        )
    context = base_context(
        request,
        counties=counties,
        county=county,
        year=year,
        page=paginate(request, findings),
        total=len(findings),
    )
    return render(request, "assessments/yearly/barred.html", context)


# --- training (四(二)) ----------------------------------------------------------------


@login_required
@permission_required("assessments.view_trainingevent", raise_exception=True)
def training_list(request):
    """Training courses of a year with their attendees in the user's scope."""
    year = year_param(request)
    filters = {"year": year}
    if request.GET.get("level"):
        filters["level"] = request.GET["level"]
    if request.GET.get("q"):
        filters["q"] = request.GET["q"]
    try:
        events = selectors.training_event_list(user=request.user, filters=filters)
    except ValidationError:
        raise Http404(_("查询条件有误。")) from None
    # Courses are shared by the whole province; a county sees its own by default.
    show = "all" if request.GET.get("show") == "all" else "mine"
    if show == "mine":
        events = events.filter(attendees__gt=0)
    if wants_xlsx(request):
        title = _("%(year)d年驻村工作队培训班") % {"year": year}
        return table_xlsx_response(
            filename=title,
            title=title,
            headers=[
                _("培训名称"),
                _("举办层级"),
                _("开始日期"),
                _("天数"),
                _("本辖区参训人数"),
            ],
            rows=(
                [e.name, e.get_level_display(), e.start_date, e.days, e.attendees]
                for e in events
            ),
        )
    context = base_context(
        request,
        counties=[],
        county=None,
        year=year,
        page=paginate(request, events),
        levels=TrainingEvent.Level.choices,
        level=request.GET.get("level", ""),
        q=request.GET.get("q", ""),
        show=show,
        import_url=reverse("workbooks:import-start") + "?kind=training",
    )
    return render(request, "assessments/yearly/training_list.html", context)


@login_required
@permission_required("assessments.add_trainingevent", raise_exception=True)
def training_create(request):
    """Register a training course."""
    form = TrainingEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = training_event_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("已登记培训班“%(name)s”。") % {"name": event})
            return redirect("assessments:training-detail", event.pk)
    return render(
        request,
        "assessments/yearly/training_form.html",
        {"form": form, "today": clock.today()},
    )


@login_required
@permission_required("assessments.view_trainingevent", raise_exception=True)
def training_detail(request, pk: int):
    """A course's attendees in scope, and the search to add more."""
    user = request.user
    event = get_scoped_or_404(user, selectors.training_event_list(user=user), pk=pk)
    counties = list(selectors.counties_for(user))
    county = county_param(request, counties)
    query = request.GET.get("q", "").strip()
    may_add = user.has_perm("assessments.add_trainingrecord")
    candidates = selectors.attendee_candidates(
        user=user, event=event, query=query, county=county
    )
    form = AttendeeAddForm(
        request.POST if request.method == "POST" else None, candidates=candidates
    )
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied
        if form.is_valid():
            try:
                created = training_attendance_add(
                    event=event,
                    people=list(form.cleaned_data["people"]),
                    days=form.cleaned_data["days"],
                    user=user,
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request, _("已添加%(n)d名参训人员。") % {"n": len(created)}
                )
                return redirect(request.get_full_path())
    records = selectors.training_record_list(user=user, filters={"event": event.pk})
    if wants_xlsx(request):
        title = _("%(name)s参训人员") % {"name": event.name}
        return table_xlsx_response(
            filename=title,
            title=title,
            headers=[_("姓名"), _("工作单位"), _("参训天数")],
            rows=(
                [r.person.name, r.person.unit.name if r.person.unit else "", r.days]
                for r in records
            ),
        )
    searched = may_add and ("q" in request.GET or request.method == "POST")
    shown = list(candidates[:100]) if searched else []
    context = base_context(
        request,
        counties=counties,
        county=county,
        event=event,
        page=paginate(request, records),
        form=form,
        query=query,
        searched=searched,
        candidates=shown,
        more_candidates=searched and len(shown) == 100,
        may_add=may_add,
        may_remove=user.has_perm("assessments.delete_trainingrecord"),
        event_days=days_text(event.days),
    )
    return render(request, "assessments/yearly/training_detail.html", context)


@login_required
@require_POST
@permission_required("assessments.delete_trainingrecord", raise_exception=True)
def training_record_delete(request, pk: int, record_pk: int):
    """Take one attendee off a course."""
    record = get_scoped_or_404(
        request.user,
        TrainingRecord.objects.select_related("event", "person"),
        pk=record_pk,
        event_id=pk,
    )
    training_attendance_remove(record=record, user=request.user)
    messages.success(
        request, _("已将%(name)s移出参训名单。") % {"name": record.person.name}
    )
    return redirect("assessments:training-detail", pk)


def _training_days_page(request, *, behind_only: bool):
    user = request.user
    counties = list(selectors.counties_for(user))
    county = county_param(request, counties)
    year = year_param(request)
    pace = selectors.training_pace(year)
    people = selectors.training_days_list(
        user=user, year=year, county=county, behind_only=behind_only, pace=pace
    )
    if wants_xlsx(request):
        return _training_days_xlsx(user, year, county, pace, people, behind_only)
    page = paginate(request, people)
    teams = selectors.training_teams(
        user=user, year=year, people=list(page), county=county
    )
    rows = [(p, teams.get(p.pk), _pace_status(p.training_days, pace)) for p in page]
    context = base_context(
        request,
        counties=counties,
        county=county,
        year=year,
        page=page,
        rows=rows,
        pace=pace,
        behind_only=behind_only,
        import_url=reverse("workbooks:import-start") + "?kind=training",
    )
    return render(request, "assessments/yearly/training_days.html", context)


def _pace_status(days, pace: selectors.TrainingPace) -> tuple[str, str]:
    """(css modifier, text) of a person's days against the pace."""
    if days >= pace.required:
        return "ok", _("已达标")
    if pace.over:
        return "bad", _("未达标")
    if days >= pace.expected:
        return "ok", _("进度正常")
    return "bad", _("落后进度")


def _training_days_xlsx(user, year, county, pace, people, behind_only):
    people = list(people)
    teams = selectors.training_teams(user=user, year=year, people=people, county=county)
    title = (
        _("%(place)s%(year)d年培训进度落后的队员")
        if behind_only
        else _("%(place)s%(year)d年队员培训天数")
    ) % {"place": county.name if county else "", "year": year}

    def cells(person):
        m = teams.get(person.pk)
        return [
            person.name,
            team_label(m.team) if m else "",
            m.get_role_display() if m else "",
            person.training_days,
            pace.expected,
            pace.required,
            _pace_status(person.training_days, pace)[1],
        ]

    return table_xlsx_response(
        filename=title,
        title=title,
        headers=[
            _("姓名"),
            _("驻村工作队"),
            _("驻村职务"),
            _("累计培训天数"),
            _("截至当日应达天数"),
            _("全年要求天数"),
            _("状态"),
        ],
        rows=(cells(p) for p in people),
    )


@login_required
@permission_required("assessments.view_trainingrecord", raise_exception=True)
def training_days(request):
    """Each member's training days in a year against the 5-day requirement."""
    return _training_days_page(request, behind_only=False)


@login_required
@permission_required("assessments.view_trainingrecord", raise_exception=True)
def training_behind(request):
    """Members behind the pace (pro rata of the 5 days on the system's today)."""
    return _training_days_page(request, behind_only=True)


# --- target responsibility letters (三) -----------------------------------------------


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


# --- the personal record (记入个人档案) -----------------------------------------------


@login_required
@permission_required("teams.view_person", raise_exception=True)
def person_record(request, pk: int):
    """A person's terms, teams, attendance, training, grades and findings, to print."""
    user = request.user
    person = get_scoped_or_404(user, Person.objects.select_related("unit"), pk=pk)
    record = selectors.person_record(user=user, person=person)
    findings = selectors.person_findings(memberships=record.memberships)
    context = {
        "person": person,
        "id_number": mask_id_number(person.id_number),
        "record": record,
        "findings": findings,
        "roles": Membership.Role,
        "today": clock.today(),
        "show_attendance": user.has_perm("attendance.view_monthlyattendance"),
        "show_training": user.has_perm("assessments.view_trainingrecord"),
        "show_grades": user.has_perm("assessments.view_assessment"),
    }
    return render(request, "teams/person_record.html", context)
