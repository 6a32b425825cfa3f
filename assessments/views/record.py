"""The cycle's index page and a person's record to print (记入个人档案)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render

from assessments import selectors
from teams.models import Membership, Person
from zhucun import clock
from zhucun.access import get_scoped_or_404
from zhucun.id_numbers import mask_id_number


@login_required
def index(request):
    """The yearly cycle's pages, as the user's permissions allow."""
    return render(request, "assessments/yearly/index.html", {"today": clock.today()})


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
