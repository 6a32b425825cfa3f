"""The API of grades, training and target letters: scoped reads, writes through services."""

# ruff: noqa: F811  (the fixtures imported from yearly_factories are redefined as arguments)

import datetime
import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from assessments.models import Assessment, TargetItem, TargetLetter, TrainingRecord
from tests.assessments.factories import (
    PENGZHOU,
    AssessmentFactory,
    TargetItemFactory,
    TargetLetterFactory,
    TrainingEventFactory,
    TrainingRecordFactory,
    staffed_team,
)
from tests.assessments.yearly_factories import (  # noqa: F401 (fixtures)
    OTHER,
    county_members,
    today,
)

D = datetime.date
EXCELLENT = Assessment.Grade.EXCELLENT


@pytest.fixture
def api(scoped_user, today) -> APIClient:
    client = APIClient()
    client.force_authenticate(scoped_user("county", PENGZHOU))
    return client


def fresh(client: APIClient) -> APIClient:
    """The same user, re-read: its scope is looked up again, as on a new request."""
    user = client.handler._force_user
    client.force_authenticate(type(user).objects.get(pk=user.pk))
    return client


def _fields(response) -> dict:
    body = response.json()
    return body.get("fields", body)


# --- grades ---------------------------------------------------------------------------


def test_grading_through_the_api_is_capped(api):
    _, others = county_members(5)  # cap 1

    first = api.post(
        "/api/v1/assessments/",
        {"membership": others[0].pk, "year": 2019, "grade": "excellent"},
        format="json",
    )
    second = api.post(
        "/api/v1/assessments/",
        {"membership": others[1].pk, "year": 2019, "grade": "excellent"},
        format="json",
    )

    assert first.status_code == 201
    assert first.json()["grade_display"] == "优秀"
    assert second.status_code == 400
    assert "优秀名额已满" in _fields(second)["grade"][0]
    cap = api.get("/api/v1/assessments/cap/", {"county": PENGZHOU, "year": 2019})
    assert cap.json() == {
        "county": PENGZHOU,
        "year": 2019,
        "members": 5,
        "cap": 1,
        "excellent": 1,
        "remaining": 0,
    }


def test_a_membership_of_another_county_is_a_field_error(api):
    _, (there,) = county_members(1, code=OTHER)

    response = api.post(
        "/api/v1/assessments/",
        {"membership": there.pk, "year": 2019, "grade": "competent"},
        format="json",
    )

    assert response.status_code == 400
    assert _fields(response)["membership"] == ["所选队员任职不在您的管辖范围内。"]
    assert not Assessment.objects.exists()


def test_scores_and_kind_are_validated(api):
    _, (member,) = county_members(1)
    response = api.post(
        "/api/v1/assessments/",
        {
            "membership": member.pk,
            "year": 2019,
            "grade": "competent",
            "kind": "weekly",
            "villager_score": "100.01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(_fields(response)) >= {"kind", "villager_score"}


def test_a_reader_may_not_grade(scoped_user, today):
    _, (member,) = county_members(1)
    client = APIClient()
    client.force_authenticate(scoped_user("prefecture", "510100"))
    response = client.post(
        "/api/v1/assessments/",
        {"membership": member.pk, "year": 2019, "grade": "competent"},
        format="json",
    )
    assert response.status_code == 403


def test_cap_of_another_county_is_404(api):
    assert api.get("/api/v1/assessments/cap/", {"county": OTHER}).status_code == 404
    assert api.get("/api/v1/assessments/cap/").status_code == 400


def test_grades_list_query_count_does_not_grow(api, django_assert_num_queries):
    _, members = county_members(2)
    for m in members:
        AssessmentFactory(membership=m)
    fresh(api)
    with django_assert_num_queries(3):
        api.get("/api/v1/assessments/")
    _, more = county_members(5)
    for m in more:
        AssessmentFactory(membership=m)
    fresh(api)
    with django_assert_num_queries(3):
        response = api.get("/api/v1/assessments/", {"year": 2019})
    assert response.json()["count"] == 7


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - reported by the assertion
            outcomes[index] = repr(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(i, call)) for i, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(outcomes, key=str)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_graders_racing_through_the_api_cannot_pass_the_cap(
    on_postgres, scoped_user, settings
):
    """四(三): two clerks post the last 优秀 place at once; one is refused."""
    if not on_postgres:
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE), so none can race")
    settings.ZHUCUN_TODAY = D(2019, 12, 31)
    _, others = county_members(10)  # cap 2
    AssessmentFactory(membership=others[0], grade=EXCELLENT)
    clerks = [scoped_user("county", PENGZHOU, username=f"clerk{n}") for n in range(2)]

    def grade(user, membership):
        def call():
            client = APIClient()
            client.force_authenticate(user)
            return client.post(
                "/api/v1/assessments/",
                {"membership": membership.pk, "year": 2019, "grade": "excellent"},
                format="json",
            ).status_code

        return call

    outcomes = _race(grade(clerks[0], others[1]), grade(clerks[1], others[2]))

    assert outcomes == [201, 400]
    assert Assessment.objects.filter(grade=EXCELLENT).count() == 2


# --- training -------------------------------------------------------------------------


def test_attendees_are_added_and_removed_through_the_api(api):
    event = TrainingEventFactory(days=Decimal("3"))
    _, (member,) = county_members(1)

    added = api.post(
        "/api/v1/training-records/",
        {"event": event.pk, "person": member.person_id},
        format="json",
    )
    again = api.post(
        "/api/v1/training-records/",
        {"event": event.pk, "person": member.person_id},
        format="json",
    )

    assert added.status_code == 201 and added.json()["days"] == "3.0"
    assert again.status_code == 400 and "person" in _fields(again)
    removed = api.delete(f"/api/v1/training-records/{added.json()['id']}/")
    assert removed.status_code == 204
    assert not TrainingRecord.objects.exists()


def test_a_person_of_another_county_cannot_be_put_on_a_course(api):
    event = TrainingEventFactory()
    _, (there,) = county_members(1, code=OTHER)
    response = api.post(
        "/api/v1/training-records/",
        {"event": event.pk, "person": there.person_id},
        format="json",
    )
    assert response.status_code == 400
    assert _fields(response)["person"] == ["所选干部不在您的管辖范围内。"]


def test_another_countys_attendance_cannot_be_removed(api):
    _, (there,) = county_members(1, code=OTHER)
    record = TrainingRecordFactory(person=there.person)
    assert api.delete(f"/api/v1/training-records/{record.pk}/").status_code == 404
    assert TrainingRecord.objects.filter(pk=record.pk).exists()


def test_a_course_is_registered_through_the_api(api):
    response = api.post(
        "/api/v1/training-events/",
        {
            "name": "县级培训班",
            "level": "county",
            "start_date": "2019-05-01",
            "days": "2.5",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["attendees"] == 0


@pytest.mark.parametrize(
    "day, behind", [(D(2019, 9, 30), False), (D(2019, 12, 31), True)]
)
def test_training_days_through_the_api_at_four_and_a_half(api, settings, day, behind):
    settings.ZHUCUN_TODAY = day
    _, (member,) = county_members(1)
    event = TrainingEventFactory(start_date=D(2019, 3, 1), days=Decimal("4.5"))
    TrainingRecordFactory(event=event, person=member.person)

    rows = api.get("/api/v1/training-records/days/", {"year": 2019}).json()["results"]
    late = api.get(
        "/api/v1/training-records/days/", {"year": 2019, "behind": "true"}
    ).json()["results"]

    mine = next(r for r in rows if r["person"]["id"] == member.person_id)
    assert mine["training_days"] == "4.5" and mine["behind"] is behind
    assert (member.person_id in [r["person"]["id"] for r in late]) is behind


def test_training_days_of_another_county_are_404(api):
    assert (
        api.get("/api/v1/training-records/days/", {"county": OTHER}).status_code == 404
    )
    assert (
        api.get("/api/v1/training-records/days/", {"year": "1999"}).status_code == 400
    )


def test_training_days_query_count_does_not_grow(api, django_assert_num_queries):
    county_members(2)
    fresh(api)
    with django_assert_num_queries(3):
        api.get("/api/v1/training-records/days/", {"year": 2019})
    county_members(5)
    fresh(api)
    with django_assert_num_queries(3):
        response = api.get("/api/v1/training-records/days/", {"year": 2019})
    assert response.json()["count"] == 7 + 3


# --- target letters -------------------------------------------------------------------


def test_a_letter_and_its_items_through_the_api(api):
    team, members = staffed_team(PENGZHOU)
    letter = api.post(
        "/api/v1/target-letters/",
        {"team": team.pk, "year": 2019, "signed_on": "2019-02-01"},
        format="json",
    )
    item = api.post(
        "/api/v1/target-items/",
        {
            "letter": letter.json()["id"],
            "content": "发展产业",
            "responsible": members[1].pk,
        },
        format="json",
    )
    progress = api.patch(
        f"/api/v1/target-items/{item.json()['id']}/",
        {"status": "done", "evidence": "验收报告"},
        format="json",
    )

    assert letter.status_code == 201 and item.status_code == 201
    assert progress.status_code == 200
    assert progress.json()["status_display"] == "已完成"
    listed = api.get("/api/v1/target-letters/", {"year": 2019}).json()["results"]
    assert listed[0]["item_count"] == 1 and listed[0]["done_count"] == 1


def test_done_without_evidence_is_refused_through_the_api(api):
    team, members = staffed_team(PENGZHOU)
    item = TargetItemFactory(letter=TargetLetterFactory(team=team))
    response = api.patch(
        f"/api/v1/target-items/{item.pk}/", {"status": "done"}, format="json"
    )
    assert response.status_code == 400
    assert "evidence" in _fields(response)


def test_a_responsible_of_another_county_is_a_field_error(api):
    team, _ = staffed_team(PENGZHOU)
    _, strangers = staffed_team(OTHER)
    letter = TargetLetterFactory(team=team)
    response = api.post(
        "/api/v1/target-items/",
        {"letter": letter.pk, "content": "发展产业", "responsible": strangers[1].pk},
        format="json",
    )
    assert response.status_code == 400
    assert _fields(response)["responsible"] == ["所选队员任职不在您的管辖范围内。"]
    assert not TargetItem.objects.exists()


def test_another_countys_letter_and_items_are_out_of_reach(api):
    there, members = staffed_team(OTHER)
    letter = TargetLetterFactory(team=there)
    item = TargetItemFactory(letter=letter, responsible=members[1])

    assert api.get(f"/api/v1/target-letters/{letter.pk}/").status_code == 404
    patched = api.patch(
        f"/api/v1/target-items/{item.pk}/", {"status": "in_progress"}, format="json"
    )
    assert patched.status_code == 404
    posted = api.post(
        "/api/v1/target-letters/",
        {"team": there.pk, "year": 2020, "signed_on": "2020-02-01"},
        format="json",
    )
    assert posted.status_code == 400 and "team" in _fields(posted)
    assert TargetLetter.objects.count() == 1


def test_missing_letters_through_the_api(api):
    with_letter, _ = staffed_team(PENGZHOU)
    without, _ = staffed_team(PENGZHOU)
    TargetLetterFactory(team=with_letter)
    response = api.get("/api/v1/target-letters/missing/", {"year": 2019})
    assert [row["id"] for row in response.json()["results"]] == [without.pk]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/target-letters/",
        "/api/v1/target-items/",
        "/api/v1/training-events/",
        "/api/v1/training-records/",
    ],
)
def test_yearly_lists_query_count_does_not_grow(api, django_assert_num_queries, url):
    def add(n):
        for _ in range(n):
            team, members = staffed_team(PENGZHOU)
            letter = TargetLetterFactory(team=team)
            TargetItemFactory(letter=letter, responsible=members[1])
            TrainingRecordFactory(person=members[1].person)

    add(2)
    fresh(api)
    with django_assert_num_queries(3):
        api.get(url)
    add(4)
    fresh(api)
    with django_assert_num_queries(3):
        response = api.get(url)
    assert response.json()["count"] == 6


# --- barred units and the personal record -------------------------------------------


def test_barred_units_through_the_api(api):
    _, here = county_members(2)
    AssessmentFactory(membership=here[0], grade=Assessment.Grade.INCOMPETENT)
    _, there = county_members(1, code=OTHER)
    AssessmentFactory(membership=there[0], grade=Assessment.Grade.INCOMPETENT)

    rows = api.get("/api/v1/assessments/barred/", {"year": 2019}).json()["results"]

    assert [(r["rule"], r["object_id"]) for r in rows] == [
        ("UNIT_BARRED_FOR_UNFIT", here[0].unit_id)
    ]
    assert api.get("/api/v1/assessments/barred/", {"county": OTHER}).status_code == 404


def test_the_personal_record_through_the_api(api):
    _, (member,) = county_members(1)
    AssessmentFactory(membership=member, grade=EXCELLENT, villager_score=95)
    event = TrainingEventFactory(start_date=D(2019, 3, 1), days=Decimal("4.5"))
    TrainingRecordFactory(event=event, person=member.person)

    body = api.get("/api/v1/assessments/record/", {"person": member.person_id}).json()

    assert body["person"]["id"] == member.person_id
    assert [t["id"] for t in body["terms"]] == [member.pk]
    assert {t["year"]: t["days"] for t in body["training"]}[2019] == "4.5"
    assert body["assessments"][0]["grade"] == "excellent"
    assert any(f["rule"] == "TRAINING_DAYS_SHORT" for f in body["findings"])
    _, (there,) = county_members(1, code=OTHER)
    assert (
        api.get("/api/v1/assessments/record/", {"person": there.person_id}).status_code
        == 404
    )
