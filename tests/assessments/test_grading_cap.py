"""The 20% cap at entry (四(三)) and both caps under concurrent writers."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from assessments.models import Assessment
from assessments.services import assessment_grade
from teams.models import Membership
from teams.services import membership_create
from tests.assessments.factories import (
    FS,
    PENGZHOU,
    ZHAOJUE,
    AssessmentFactory,
    staffed_team,
)
from tests.factories import PersonFactory
from zhucun.models import AuditEntry

D = datetime.date
EXCELLENT = Assessment.Grade.EXCELLENT
COMPETENT = Assessment.Grade.COMPETENT


def _county(members: int, code: str = PENGZHOU):
    """Teams in a county with ``members`` members besides their first secretaries."""
    secretaries, others = [], []
    while len(others) < members:
        size = min(4, members - len(others) + 1)
        _, team = staffed_team(code, size=size)
        secretaries.append(team[0])
        others.extend(team[1:])
    return secretaries, others


def _grade(membership, grade=EXCELLENT, **kwargs):
    return assessment_grade(membership=membership, year=2019, grade=grade, **kwargs)


@pytest.mark.parametrize("members, allowed", [(9, 1), (10, 2), (17, 3)])
def test_clause_4_3_excellent_capped_at_floor_of_twenty_percent(db, members, allowed):
    """四(三) "优秀"等次名额不超过所在县驻村工作队队员总数的20%（不含第一书记）."""
    _, others = _county(members)
    for m in others[:allowed]:
        assert _grade(m).grade == EXCELLENT
    with pytest.raises(ValidationError) as excinfo:
        _grade(others[allowed])
    assert excinfo.value.message_dict["grade"] == [
        f"彭州市2019年度优秀名额已满：已评优秀{allowed}人，上限{allowed}人"
        f"（不含第一书记的队员共{members}人的20%）"
    ]
    refused = others[allowed].person
    assert not Assessment.objects.filter(person=refused).exists()
    assert _grade(others[allowed], COMPETENT).grade == COMPETENT


def test_first_secretaries_are_neither_capped_nor_counted(db):
    secretaries, others = _county(5)  # cap: 1
    for secretary in secretaries:
        _grade(secretary)
    _grade(others[0])
    with pytest.raises(ValidationError) as excinfo:
        _grade(others[1])
    assert "已评优秀1人，上限1人（不含第一书记的队员共5人的20%）" in str(excinfo.value)


def test_regrading_a_member_keeps_one_place_and_a_downgrade_frees_it(db):
    _, others = _county(5)
    first = _grade(others[0], villager_score=90)
    again = _grade(others[0], villager_score=95)
    assert again.pk == first.pk and again.villager_score == 95
    with pytest.raises(ValidationError):
        _grade(others[1])
    _grade(others[0], COMPETENT)
    assert _grade(others[1]).grade == EXCELLENT


def test_other_counties_and_years_do_not_count(db):
    _, here = _county(5)
    _, there = _county(5, code="510181")
    _grade(there[0])
    AssessmentFactory(membership=here[1], year=2018, grade=EXCELLENT)
    assert _grade(here[0]).grade == EXCELLENT


def test_term_end_grades_are_not_capped(db):
    _, others = _county(5)
    for m in others[:3]:
        assessment_grade(
            membership=m, year=2019, grade=EXCELLENT, kind=Assessment.Kind.TERM_END
        )
    assert _grade(others[3]).grade == EXCELLENT


def test_cap_ratio_is_read_from_settings(db, settings):
    _, others = _county(5)
    settings.ZHUCUN_RULES = {**settings.ZHUCUN_RULES, "EXCELLENT_CAP_RATIO": "0.4"}
    _grade(others[0])
    _grade(others[1])
    with pytest.raises(ValidationError) as excinfo:
        _grade(others[2])
    assert "上限2人（不含第一书记的队员共5人的40%）" in str(excinfo.value)


def test_a_year_the_member_did_not_serve_is_refused(db):
    _, others = _county(1)
    with pytest.raises(ValidationError) as excinfo:
        assessment_grade(membership=others[0], year=2021, grade=COMPETENT)
    assert "2021年未在该驻村工作队任职" in excinfo.value.message_dict["year"][0]


def test_grading_is_audited_with_the_county(db, django_user_model):
    clerk = django_user_model.objects.create_user("clerk", password="x" * 12)
    _, others = _county(1)
    graded = _grade(others[0], COMPETENT, user=clerk)
    entry = AuditEntry.objects.get(model="assessments.assessment")
    assert (entry.action, entry.object_id, entry.county_code, entry.actor) == (
        "create",
        str(graded.pk),
        PENGZHOU,
        clerk,
    )
    _grade(others[0], COMPETENT, villager_score=80)
    latest = AuditEntry.objects.filter(model="assessments.assessment").first()
    assert latest.action == "update" and "villager_score" in latest.changes


# --- concurrency: exactly one of two racing writers takes the last place ----------


def _race(*calls):
    """Run the calls in threads released together; each uses its own connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait(timeout=10)
            call()
            outcomes[index] = "written"
        except ValidationError:
            outcomes[index] = "refused"
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
    return sorted(outcomes)


def _postgres_only(on_postgres):
    if not on_postgres:
        pytest.skip(
            "SQLite serialises writers (BEGIN IMMEDIATE), so no two writes can race"
        )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_racing_for_the_last_excellent_place_one_wins(on_postgres):
    _postgres_only(on_postgres)
    _, others = _county(5)  # cap: 1, none given yet
    outcomes = _race(lambda: _grade(others[0]), lambda: _grade(others[1]))
    assert outcomes == ["refused", "written"]
    excellent = Assessment.objects.filter(year=2019, grade=EXCELLENT)
    assert excellent.count() == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_clerks_racing_for_the_last_liangshan_place_one_wins(on_postgres):
    """二(三) 每村4至7人: the seventh place is taken once (membership_create)."""
    _postgres_only(on_postgres)
    team, _ = staffed_team(ZHAOJUE, size=6)
    newcomers = [PersonFactory(), PersonFactory()]

    def appoint(person):
        return lambda: membership_create(
            person=person,
            team=team,
            role=Membership.Role.MEMBER,
            unit=person.unit,
            start_date=D(2019, 1, 1),
        )

    outcomes = _race(*(appoint(p) for p in newcomers))
    assert outcomes == ["refused", "written"]
    assert team.memberships.exclude(role=FS).count() == 6
