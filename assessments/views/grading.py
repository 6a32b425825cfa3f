"""Annual and term-end grading (四(三)) and the units barred from 优秀."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from assessments import selectors
from assessments.cycle import base_context, year_param
from assessments.forms import GradeRowForm, team_label
from assessments.models import Assessment
from assessments.services import assessment_grade
from teams.models import Person, Term
from zhucun import clock
from zhucun.pages import (
    add_errors,
    county_param,
    paginate,
    table_xlsx_response,
    wants_xlsx,
)
from zhucun.periods import last_completed_year

EXCELLENT = Assessment.Grade.EXCELLENT


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
