"""The personal record (记入个人档案): terms, attendance, training, grades, findings."""

# ruff: noqa: F811  (the fixtures imported from yearly_factories are redefined as arguments)

import datetime
from decimal import Decimal
from pathlib import Path

from django.contrib.staticfiles import finders

from tests.assessments.factories import (
    AssessmentFactory,
    MonthlyAttendanceFactory,
    TrainingEventFactory,
    TrainingRecordFactory,
    staffed_team,
)
from tests.assessments.yearly_factories import (  # noqa: F401 (fixtures)
    OTHER,
    clerk,
    today,
)

D = datetime.date


def _url(person) -> str:
    return f"/assessments/people/{person.pk}/record/"


def _history(membership, months=3, courses=1):
    for n in range(1, months + 1):
        MonthlyAttendanceFactory(
            membership=membership, month=D(2019, n, 1), in_post_days=20, leave_days=1
        )
    for n in range(courses):
        event = TrainingEventFactory(start_date=D(2019, 4 + n, 1), days=Decimal("2"))
        TrainingRecordFactory(event=event, person=membership.person)


def test_the_record_gathers_a_persons_service(client, clerk):
    _, (secretary, member, _other) = staffed_team()
    _history(member, months=3, courses=2)
    AssessmentFactory(
        membership=member, year=2019, grade="excellent", villager_score=95
    )

    response = client.get(_url(member.person))

    body = response.content.decode()
    record = response.context["record"]
    assert [m.pk for m in record.memberships] == [member.pk]
    [year] = [a for a in record.attendance if a.year == 2019]
    assert (year.months, year.in_post_days, year.leave_days) == (3, 60, 3)
    training = {t.year: t for t in record.training}
    assert set(training) == {2018, 2019}  # every year served has its row
    assert training[2019].days == Decimal("4") and not training[2019].met
    assert training[2018].days == Decimal("0")
    assert "2018—2020年驻村期" in body
    assert "优秀" in body and "95.00" in body
    # The year-end finding of 2019: 4 training days, fewer than 5.
    assert any(
        f.rule == "TRAINING_DAYS_SHORT" and f.period == "2019"
        for f in response.context["findings"]
    )
    assert "少于5天" in body
    assert member.person.id_number not in body  # masked
    # The print layout is a stylesheet of its own (no inline style under the CSP).
    assert "/static/css/person_record.css" in body
    css = finders.find("css/person_record.css")
    text = Path(css).read_text(encoding="utf-8")
    assert "@media print" in text and "@page { size: A4" in text


def test_the_record_query_count_does_not_grow_with_the_history(
    client, clerk, django_assert_num_queries
):
    _, (_fs, member, _m) = staffed_team()
    _history(member, months=2, courses=1)
    AssessmentFactory(membership=member, year=2018)
    client.get(_url(member.person))  # warm the content types
    with django_assert_num_queries(28):
        client.get(_url(member.person))
    _history_more(member)
    with django_assert_num_queries(28):
        response = client.get(_url(member.person))
    assert len(response.context["record"].assessments) == 2


def _history_more(member):
    for n in range(4, 12):
        MonthlyAttendanceFactory(membership=member, month=D(2019, n, 1))
    for n in range(4):
        event = TrainingEventFactory(start_date=D(2019, 8, 1 + n), days=Decimal("1"))
        TrainingRecordFactory(event=event, person=member.person)
    AssessmentFactory(membership=member, year=2019)


def test_another_countys_person_is_404(client, clerk):
    _, (_fs, there, _m) = staffed_team(OTHER)
    assert client.get(_url(there.person)).status_code == 404


def test_a_township_sees_the_record_without_the_grades(client, scoped_user, today):
    team, (_fs, member, _m) = staffed_team()
    AssessmentFactory(membership=member, year=2019, grade="excellent")
    client.force_login(scoped_user("township", team.village.township.code))

    response = client.get(_url(member.person))

    assert response.status_code == 200
    assert not response.context["show_grades"]
    assert "考核结果" not in response.content.decode()
