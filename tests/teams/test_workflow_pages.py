"""The appointment and replacement workflow of 二(四), through the pages.

A unit proposes, its 机关工委 reviews, the county appoints, the committee files;
the county marks a member unfit, the unit proposes the replacement, the
committee reviews it, the county appoints it and the old membership is closed.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from teams.models import Membership, Person
from tests.factories import (
    MembershipFactory,
    PersonFactory,
    TeamFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    WorkCommitteeFactory,
)
from villages.models import Region
from zhucun.models import AuditEntry

D = datetime.date
TODAY = D(2019, 12, 31)
APPOINTMENTS = "/teams/appointments/"
PROPOSE = "/teams/appointments/propose/"


@pytest.fixture(autouse=True)
def today(settings):
    settings.ZHUCUN_TODAY = TODAY
    return TODAY


def step_url(membership, step):
    return reverse("teams:appointment-step", args=[membership.pk, step])


@pytest.fixture
def world(db, scoped_user):
    """A 昭觉县 team with two members of a unit under a committee, and its users."""
    committee = WorkCommitteeFactory()
    unit = UnitFactory(work_committee=committee)
    county = Region.objects.get(code="513431")
    township = TownshipFactory(parent=county)
    team = TeamFactory(village=VillageFactory(township=township, county=county))
    secretary = MembershipFactory(
        team=team,
        role=Membership.Role.FIRST_SECRETARY,
        person=PersonFactory(unit=unit),
        filed_on=D(2018, 6, 1),
        party_relation_transferred_on=D(2018, 6, 10),
    )
    member = MembershipFactory(
        team=team,
        person=PersonFactory(unit=unit),
        filed_on=D(2018, 6, 1),
        party_relation_transferred_on=D(2018, 6, 10),
    )
    return SimpleNamespace(
        committee=committee,
        unit=unit,
        team=team,
        secretary=secretary,
        member=member,
        unit_user=scoped_user("unit", unit.name, "danwei"),
        committee_user=scoped_user("committee", committee.name, "gongwei"),
        county_user=scoped_user("county", "513431", "zhaojue"),
    )


def todo_rows(client):
    return [(m.pk, m.pending) for m in client.get(APPOINTMENTS).context["page"]]


def test_units_and_committees_land_on_their_to_do(client, world):
    for user in (world.unit_user, world.committee_user):
        client.force_login(user)
        assert client.get(reverse("home"))["Location"] == APPOINTMENTS


def test_propose_review_appoint_file_each_by_its_role(client, world):
    candidate = PersonFactory(unit=world.unit)

    # The unit proposes a candidate by 身份证号码.
    client.force_login(world.unit_user)
    assert client.get(PROPOSE).status_code == 200
    response = client.post(
        PROPOSE,
        {
            "team": world.team.pk,
            "id_number": candidate.id_number,
            "role": Membership.Role.MEMBER,
            "sector": Membership.Sector.EDUCATION,
            "start_date": "2020-01-10",
            "proposed_on": "2019-12-20",
        },
        follow=True,
    )
    assert "等待机关工委审核" in response.content.decode()
    new = Membership.objects.get(person=candidate)
    assert (new.proposed_on, new.reviewed_on, new.unit) == (
        D(2019, 12, 20),
        None,
        world.unit,
    )
    assert new.end_date == world.team.end_date
    assert todo_rows(client) == []  # nothing left for the unit

    # Its committee reviews.
    client.force_login(world.committee_user)
    assert todo_rows(client) == [(new.pk, "review")]
    response = client.post(step_url(new, "review"), {"on": "2019-12-24"}, follow=True)
    assert "已办理“机关工委审核”" in response.content.decode()
    new.refresh_from_db()
    assert new.reviewed_on == D(2019, 12, 24)

    # The county appoints (任职手续).
    client.force_login(world.county_user)
    assert todo_rows(client) == [(new.pk, "appoint")]
    client.post(step_url(new, "appoint"), {"on": "2019-12-28"})
    new.refresh_from_db()
    assert new.appointed_on == D(2019, 12, 28)
    # … and then has the party relation to transfer (the candidate is a member).
    assert todo_rows(client) == [(new.pk, "transfer_party")]
    client.post(step_url(new, "transfer_party"), {"on": "2019-12-31"})

    # The committee files (备案), dated today by default.
    client.force_login(world.committee_user)
    page = client.get(APPOINTMENTS)
    assert f'value="{TODAY:%Y-%m-%d}"' in page.content.decode()
    assert todo_rows(client) == [(new.pk, "file")]
    client.post(step_url(new, "file"), {"on": TODAY.isoformat()})
    new.refresh_from_db()
    assert (new.filed_on, new.party_relation_transferred_on) == (TODAY, TODAY)
    assert todo_rows(client) == []

    # Each step is audited and on the team page's timeline, with who did it.
    entries = AuditEntry.objects.filter(model="teams.membership", object_id=new.pk)
    assert entries.count() == 5  # created (with the proposal) and four steps
    client.force_login(world.county_user)
    data = client.get(reverse("teams:team-detail", args=[world.team.pk])).context[
        "data"
    ]
    mine = {(e.kind, e.on, e.actor) for e in data.timeline if e.membership == new}
    assert mine >= {
        ("proposed_on", D(2019, 12, 20), "danwei"),
        ("reviewed_on", D(2019, 12, 24), "gongwei"),
        ("appointed_on", D(2019, 12, 28), "zhaojue"),
        ("party_relation_transferred_on", TODAY, "zhaojue"),
        ("filed_on", TODAY, "gongwei"),
    }


def test_a_step_of_another_role_is_refused(client, world):
    proposed = MembershipFactory(
        team=world.team,
        person=PersonFactory(unit=world.unit),
        reviewed_on=None,
        appointed_on=None,
    )
    client.force_login(world.unit_user)
    assert (
        client.post(step_url(proposed, "review"), {"on": "2019-12-30"}).status_code
        == 403
    )
    client.force_login(world.committee_user)
    assert (
        client.post(step_url(proposed, "appoint"), {"on": "2019-12-30"}).status_code
        == 403
    )
    client.force_login(world.county_user)
    assert (
        client.post(step_url(proposed, "review"), {"on": "2019-12-30"}).status_code
        == 403
    )
    proposed.refresh_from_db()
    assert (proposed.reviewed_on, proposed.appointed_on) == (None, None)


def test_a_step_out_of_order_shows_the_services_refusal(client, world):
    proposed = MembershipFactory(
        team=world.team,
        person=PersonFactory(unit=world.unit),
        reviewed_on=None,
        appointed_on=None,
    )
    client.force_login(world.county_user)
    response = client.post(step_url(proposed, "appoint"), {"on": "2019-12-30"})
    assert response.status_code == 400
    assert "须先完成“机关工委审核”" in response.content.decode()
    client.force_login(world.committee_user)
    response = client.post(step_url(proposed, "review"), {"on": "2018-01-01"})
    assert "不能早于" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.reviewed_on is None


def test_a_proposal_the_service_refuses_shows_on_the_form(client, world):
    client.force_login(world.unit_user)
    base = {
        "team": world.team.pk,
        "role": Membership.Role.FIRST_SECRETARY,
        "sector": Membership.Sector.OTHER,
        "start_date": "2020-01-10",
        "proposed_on": "2019-12-20",
    }
    response = client.post(
        PROPOSE, {**base, "person": PersonFactory(unit=world.unit).pk}
    )
    assert response.status_code == 400
    assert "一个工作队只能有一名第一书记" in response.content.decode()
    response = client.post(PROPOSE, {**base, "id_number": "51343119800101001X"})
    assert response.status_code == 400
    response = client.post(PROPOSE, base)
    assert "请填写身份证号码或选择干部" in response.content.decode()
    assert Membership.objects.count() == 2


def test_mark_unfit_propose_replacement_appoint_closes_the_old_membership(
    client, world
):
    old = world.member
    team_url = reverse("teams:team-detail", args=[world.team.pk])

    # The county marks the member unfit on the team page, with a deadline.
    client.force_login(world.county_user)
    response = client.post(
        reverse("teams:team-mark-unfit", args=[world.team.pk]),
        {"membership": old.pk, "on": "2019-12-02", "deadline": "2020-01-31"},
    )
    assert response.status_code == 302 and response["Location"] == team_url
    old.refresh_from_db()
    assert (old.unfit_marked_on, old.replacement_deadline) == (
        D(2019, 12, 2),
        D(2020, 1, 31),
    )
    assert todo_rows(client) == [(old.pk, "await_replacement")]

    # The unit proposes the replacement, confirming the old service ends.
    client.force_login(world.unit_user)
    assert todo_rows(client) == [(old.pk, "replace")]
    replace_url = reverse("teams:appointment-replace", args=[old.pk])
    successor = PersonFactory(unit=world.unit)
    form = {
        "person": successor.pk,
        "start_date": "2020-01-15",
        "proposed_on": "2019-12-20",
    }
    response = client.post(replace_url, form)
    assert response.status_code == 400
    assert "请确认结束原队员的驻村任职" in response.content.decode()
    response = client.post(replace_url, {**form, "confirm": "on"}, follow=True)
    assert "2020-01-14" in response.content.decode()
    new = Membership.objects.get(person=successor)
    old.refresh_from_db()
    assert old.replaced_by == new
    assert old.end_date == D(2020, 1, 14)
    assert (new.role, new.proposed_on, new.appointed_on) == (
        old.role,
        D(2019, 12, 20),
        None,
    )

    # The committee reviews, the county appoints the replacement.
    client.force_login(world.committee_user)
    assert todo_rows(client) == [(new.pk, "review")]
    client.post(step_url(new, "review"), {"on": "2019-12-31"})
    client.force_login(world.county_user)
    rows = client.get(APPOINTMENTS).context["page"]
    assert [(m.pk, m.pending, m.replaces.pk) for m in rows] == [
        (new.pk, "appoint", old.pk)
    ]
    client.post(step_url(new, "appoint"), {"on": "2019-12-31"})
    new.refresh_from_db()
    assert new.is_appointed

    # The timeline shows the mark and the replacement.
    response = client.get(team_url)
    kinds = {(e.membership.pk, e.kind) for e in response.context["data"].timeline}
    assert {(old.pk, "unfit_marked_on"), (old.pk, "replaced")} <= kinds
    text = response.content.decode()
    assert "认定能力素质不适应" in text and f"由{successor.name}接替" in text


def test_marking_unfit_refuses_a_deadline_before_the_mark(client, world):
    client.force_login(world.county_user)
    response = client.post(
        reverse("teams:team-mark-unfit", args=[world.team.pk]),
        {"membership": world.member.pk, "on": "2019-12-02", "deadline": "2019-12-01"},
    )
    assert response.status_code == 400
    assert "召回调整期限不能早于认定日期" in response.content.decode()
    world.member.refresh_from_db()
    assert world.member.unfit_marked_on is None


def test_only_the_county_marks_unfit(client, world, scoped_user):
    url = reverse("teams:team-mark-unfit", args=[world.team.pk])
    form = {"membership": world.member.pk, "on": "2019-12-02", "deadline": "2020-01-31"}
    client.force_login(world.committee_user)
    assert client.post(url, form).status_code == 404
    client.force_login(world.unit_user)
    assert client.post(url, form).status_code == 403  # no right to change members
    world.member.refresh_from_db()
    assert world.member.unfit_marked_on is None


def test_another_county_gets_404_everywhere(client, world, scoped_user):
    proposed = MembershipFactory(
        team=world.team,
        person=PersonFactory(unit=world.unit),
        appointed_on=None,
    )
    client.force_login(scoped_user("county", "510104"))
    assert todo_rows(client) == []
    assert (
        client.post(step_url(proposed, "appoint"), {"on": "2019-12-30"}).status_code
        == 404
    )
    assert client.get(step_url(proposed, "appoint")).status_code == 404
    url = reverse("teams:team-mark-unfit", args=[world.team.pk])
    form = {"membership": world.member.pk, "on": "2019-12-02", "deadline": "2020-01-31"}
    assert client.post(url, form).status_code == 404
    unfit = world.member
    unfit.unfit_marked_on = D(2019, 12, 1)
    unfit.save()
    client.force_login(scoped_user("unit", UnitFactory().name, "other-unit"))
    replace = reverse("teams:appointment-replace", args=[unfit.pk])
    assert client.get(replace).status_code == 404
    assert client.post(replace, {"person": PersonFactory().pk}).status_code == 404
    proposed.refresh_from_db()
    assert proposed.appointed_on is None


def _waiting(world, n: int) -> None:
    for _ in range(n):
        MembershipFactory(
            team=TeamFactory(
                village=VillageFactory(
                    township=world.team.village.township,
                    county=world.team.village.county,
                )
            ),
            person=PersonFactory(unit=world.unit),
            reviewed_on=None,
            appointed_on=None,
        )


@pytest.mark.parametrize("waiting", [2, 6])
def test_the_to_do_takes_a_fixed_number_of_queries(
    client, world, django_assert_num_queries, waiting
):
    _waiting(world, waiting)
    client.force_login(world.committee_user)
    # session, user, permissions (user, groups), scope; count; the reminder
    # bell; rows; the session's new expiry (savepoint, update, release).
    with django_assert_num_queries(11):
        response = client.get(APPOINTMENTS)
    assert len(response.context["page"]) == waiting
    assert {m.pending for m in response.context["page"]} == {"review"}


def test_a_committee_sees_only_its_units_members(client, world, scoped_user):
    _waiting(world, 2)
    other = WorkCommitteeFactory()
    client.force_login(scoped_user("committee", other.name, "other-committee"))
    assert todo_rows(client) == []
    person = Person.objects.filter(unit=world.unit).first()
    membership = person.memberships.first()
    assert (
        client.post(step_url(membership, "review"), {"on": "2019-12-30"}).status_code
        == 404
    )
