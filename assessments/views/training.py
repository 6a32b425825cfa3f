"""Training events, their attendance and each member's training days (四(二))."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from assessments import selectors
from assessments.cycle import base_context, year_param
from assessments.forms import AttendeeAddForm, TrainingEventForm, team_label
from assessments.models import TrainingEvent, TrainingRecord
from assessments.services import (
    training_attendance_add,
    training_attendance_remove,
    training_event_create,
)
from zhucun import clock
from zhucun.access import get_scoped_or_404
from zhucun.formats import days_text
from zhucun.pages import (
    add_errors,
    county_param,
    paginate,
    table_xlsx_response,
    wants_xlsx,
)


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
