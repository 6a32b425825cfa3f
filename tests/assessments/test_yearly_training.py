"""Training (四(二)): courses, attendees, each member's days against the 5-day pace."""

# ruff: noqa: F811  (the fixtures imported from yearly_factories are redefined as arguments)

import datetime
from decimal import Decimal

import pytest

from assessments.models import TrainingEvent, TrainingRecord
from assessments.selectors import training_pace
from compliance.rules import evaluate
from tests.assessments.factories import (
    PENGZHOU,
    TrainingEventFactory,
    TrainingRecordFactory,
)
from tests.assessments.yearly_factories import (  # noqa: F401 (fixtures)
    OTHER,
    clerk,
    county_members,
    today,
    workbook_rows,
)
from zhucun.models import AuditEntry

D = datetime.date
MAY_10 = D(2019, 5, 10)


def _train(membership, days: str, start=MAY_10):
    event = TrainingEventFactory(start_date=start, days=Decimal(days))
    return TrainingRecordFactory(event=event, person=membership.person)


# --- the pace ------------------------------------------------------------------------


def test_the_pace_is_the_share_of_the_year_gone_rounded_up_to_a_tenth():
    """5 days × 182/365 = 2.49…: 2.4 days is behind on 1 July, 2.5 is not."""
    pace = training_pace(2019, D(2019, 7, 1))
    assert pace.expected == Decimal("2.5")
    assert not pace.over
    assert training_pace(2019, D(2019, 1, 1)).expected == Decimal("0.1")
    assert training_pace(2019, D(2018, 12, 31)).expected == Decimal("0.0")
    year_end = training_pace(2019, D(2019, 12, 31))
    assert (year_end.expected, year_end.over) == (Decimal("5"), True)
    assert training_pace(2019, D(2020, 3, 1)).expected == Decimal("5")


def test_the_required_days_are_read_from_settings(settings):
    settings.ZHUCUN_RULES = {**settings.ZHUCUN_RULES, "TRAINING_DAYS_MIN": 6}
    assert training_pace(2019, D(2019, 12, 31)).required == Decimal("6")


@pytest.mark.parametrize(
    "day, days, status, behind",
    [
        (D(2019, 9, 30), "4.5", "进度正常", False),
        (D(2019, 9, 30), "5", "已达标", False),
        (D(2019, 12, 31), "4.5", "未达标", True),
        (D(2019, 12, 31), "5", "已达标", False),
        (D(2019, 7, 1), "2.4", "落后进度", True),
        (D(2019, 7, 1), "2.5", "进度正常", False),
    ],
)
def test_clause_4_2_pace_and_year_end_at_the_boundaries(
    client, clerk, settings, day, days, status, behind
):
    """四(二) 每人每年培训累计不少于5天: 4.5 days short at year end, 5 days enough."""
    settings.ZHUCUN_TODAY = day
    _, (member,) = county_members(1)
    _train(member, days, start=D(2019, 3, 1))

    listed = client.get("/assessments/training/days/", {"year": 2019})
    late = client.get("/assessments/training/behind/", {"year": 2019})

    row = next(r for r in listed.context["rows"] if r[0].pk == member.person_id)
    assert row[0].training_days == Decimal(days)
    assert row[2][1] == status
    assert (member.person_id in {r[0].pk for r in late.context["rows"]}) == behind


def test_clause_4_2_year_end_agrees_with_the_rule(client, clerk):
    _, (short, enough) = county_members(2)
    _train(short, "4.5")
    _train(enough, "2.5")
    _train(enough, "2.5", start=D(2019, 10, 1))

    late = client.get("/assessments/training/behind/", {"year": 2019})

    findings = evaluate(D(2019, 12, 31), rules=["TRAINING_DAYS_SHORT"])
    flagged = {f.object_id for f in findings if f.period == "2019"}
    assert short.pk in flagged and enough.pk not in flagged
    behind = {person.pk for person, _m, _s in late.context["rows"]}
    assert short.person_id in behind and enough.person_id not in behind


def test_courses_after_the_day_do_not_count_yet(client, clerk, settings):
    settings.ZHUCUN_TODAY = D(2019, 6, 1)
    _, (member,) = county_members(1)
    _train(member, "3", start=D(2019, 5, 1))
    _train(member, "2", start=D(2019, 9, 1))  # planned, not yet held

    rows = client.get("/assessments/training/days/", {"year": 2019}).context["rows"]

    assert rows[1][0].training_days == Decimal("3")


def test_training_days_query_count_does_not_grow(
    client, clerk, django_assert_num_queries
):
    _, members = county_members(2)
    _train(members[0], "3")
    with django_assert_num_queries(13):
        client.get("/assessments/training/days/", {"year": 2019})
    _, more = county_members(5)
    for m in more:
        _train(m, "2")
    with django_assert_num_queries(13):
        response = client.get("/assessments/training/days/", {"year": 2019})
    assert len(response.context["rows"]) == 7 + 3
    with django_assert_num_queries(13):
        client.get("/assessments/training/behind/", {"year": 2019})


def test_training_days_of_another_county_are_404_and_absent(client, clerk):
    _, (there,) = county_members(1, code=OTHER)
    _, (here,) = county_members(1)
    assert (
        client.get("/assessments/training/days/", {"county": OTHER}).status_code == 404
    )
    rows = client.get("/assessments/training/days/", {"year": 2019}).context["rows"]
    people = {person.pk for person, _m, _s in rows}
    assert here.person_id in people and there.person_id not in people


def test_training_days_export(client, clerk):
    _, (member,) = county_members(1)
    _train(member, "4.5")

    rows = workbook_rows(
        client.get("/assessments/training/behind/", {"year": 2019, "format": "xlsx"})
    )

    assert rows[0] == ("彭州市2019年培训进度落后的队员",) + (None,) * 6
    person_row = next(r for r in rows if r[0] == member.person.name)
    assert person_row[3:] == (4.5, 5, 5, "未达标")


# --- courses and their attendees --------------------------------------------------------


def test_a_clerk_registers_a_course(client, clerk):
    response = client.post(
        "/assessments/training/new/",
        {
            "name": "彭州市2019年驻村工作队员培训班",
            "level": "county",
            "start_date": "2019-05-10",
            "days": "3",
        },
    )
    event = TrainingEvent.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/assessments/training/{event.pk}/"
    assert event.days == Decimal("3")
    assert AuditEntry.objects.filter(model="assessments.trainingevent").count() == 1


def test_a_course_of_no_days_is_refused(client, clerk):
    response = client.post(
        "/assessments/training/new/",
        {"name": "培训班", "level": "county", "start_date": "2019-05-10", "days": "0"},
    )
    assert response.status_code == 200
    assert "days" in response.context["form"].errors
    assert not TrainingEvent.objects.exists()


def test_the_course_list_counts_only_attendees_in_scope(client, clerk):
    event = TrainingEventFactory()
    _, here = county_members(2)
    _, there = county_members(3, code=OTHER)
    for m in here + there:
        TrainingRecordFactory(event=event, person=m.person)

    response = client.get("/assessments/training/", {"year": 2019})

    [row] = response.context["page"]
    assert row.attendees == 2
    body = response.content.decode()
    link = response.context["import_url"]
    # The import page where zhucun/urls.py includes it, else the command's name.
    assert (link in body) if link else ("import_xlsx training" in body)


def test_course_list_query_count_does_not_grow(
    client, clerk, django_assert_num_queries
):
    TrainingEventFactory.create_batch(2)
    params = {"year": 2019, "show": "all"}
    with django_assert_num_queries(11):
        client.get("/assessments/training/", params)
    TrainingEventFactory.create_batch(5)
    with django_assert_num_queries(11):
        response = client.get("/assessments/training/", params)
    assert len(response.context["page"]) == 7


def test_a_county_sees_its_own_courses_unless_it_asks_for_all(client, clerk):
    ours, theirs = TrainingEventFactory(), TrainingEventFactory()
    _, (here,) = county_members(1)
    _, (there,) = county_members(1, code=OTHER)
    TrainingRecordFactory(event=ours, person=here.person)
    TrainingRecordFactory(event=theirs, person=there.person)

    mine = client.get("/assessments/training/", {"year": 2019})
    every = client.get("/assessments/training/", {"year": 2019, "show": "all"})

    assert list(mine.context["page"]) == [ours]
    assert set(every.context["page"]) == {ours, theirs}


def test_the_search_offers_only_members_in_scope_not_yet_on_the_course(client, clerk):
    event = TrainingEventFactory()
    _, here = county_members(2)
    _, there = county_members(2, code=OTHER)
    TrainingRecordFactory(event=event, person=here[0].person)

    response = client.get(f"/assessments/training/{event.pk}/", {"q": ""})

    offered = set(response.context["candidates"])
    assert here[1].person in offered
    assert here[0].person not in offered
    assert not offered & {m.person for m in there}


def test_ticked_members_are_added_with_the_courses_days(client, clerk):
    event = TrainingEventFactory(days=Decimal("3"))
    _, here = county_members(2)

    response = client.post(
        f"/assessments/training/{event.pk}/?q=",
        {"people": [m.person_id for m in here], "days": ""},
    )

    assert response.status_code == 302
    days = sorted(TrainingRecord.objects.values_list("days", flat=True))
    assert days == [Decimal("3"), Decimal("3")]
    assert (
        AuditEntry.objects.filter(
            model="assessments.trainingrecord", county_code=PENGZHOU
        ).count()
        == 2
    )


def test_a_member_of_another_county_cannot_be_added(client, clerk):
    event = TrainingEventFactory()
    _, (there,) = county_members(1, code=OTHER)

    response = client.post(
        f"/assessments/training/{event.pk}/?q=", {"people": [there.person_id]}
    )

    assert response.status_code == 200
    assert "people" in response.context["form"].errors
    assert not TrainingRecord.objects.exists()


def test_days_beyond_the_course_are_refused(client, clerk):
    event = TrainingEventFactory(days=Decimal("3"))
    _, (member,) = county_members(1)

    response = client.post(
        f"/assessments/training/{event.pk}/?q=",
        {"people": [member.person_id], "days": "3.5"},
    )

    assert response.context["form"].errors["days"] == [
        "参训天数应大于0且不超过培训班的3天。"
    ]
    assert not TrainingRecord.objects.exists()


def test_an_attendee_is_taken_off_and_another_countys_is_404(client, clerk):
    event = TrainingEventFactory()
    _, (here,) = county_members(1)
    _, (there,) = county_members(1, code=OTHER)
    mine = TrainingRecordFactory(event=event, person=here.person)
    theirs = TrainingRecordFactory(event=event, person=there.person)

    gone = client.post(f"/assessments/training/{event.pk}/records/{mine.pk}/delete/")
    refused = client.post(
        f"/assessments/training/{event.pk}/records/{theirs.pk}/delete/"
    )

    assert gone.status_code == 302
    assert refused.status_code == 404
    assert list(TrainingRecord.objects.all()) == [theirs]


def test_course_page_query_count_does_not_grow(
    client, clerk, django_assert_num_queries
):
    event = TrainingEventFactory()
    _, members = county_members(2)
    for m in members:
        TrainingRecordFactory(event=event, person=m.person)
    url = f"/assessments/training/{event.pk}/"
    with django_assert_num_queries(14):
        client.get(url, {"q": ""})
    _, more = county_members(5)
    for m in more:
        TrainingRecordFactory(event=event, person=m.person)
    with django_assert_num_queries(14):
        response = client.get(url, {"q": ""})
    assert len(response.context["page"]) == 7


def test_the_course_page_shows_none_of_another_countys_attendees(client, clerk):
    event = TrainingEventFactory()
    _, (there,) = county_members(1, code=OTHER)
    TrainingRecordFactory(event=event, person=there.person)

    response = client.get(f"/assessments/training/{event.pk}/")

    assert list(response.context["page"]) == []
    assert there.person.name not in response.content.decode()
    missing = client.get("/assessments/training/999999/")
    assert missing.status_code == 404


# 9: the header's role and region (zhucun.context_processors) is one query on
# pages whose view does not read the user's scope itself.
@pytest.mark.parametrize(
    "url, queries", [("/assessments/", 9), ("/assessments/training/new/", 9)]
)
def test_hub_and_course_form_query_counts(
    client, clerk, django_assert_num_queries, url, queries
):
    TrainingEventFactory.create_batch(3)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200
