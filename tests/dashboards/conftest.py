"""A small province on 2019-12-31: teams in 昭觉县 (凉山州) and in 锦江区 (成都市)."""

import datetime
from types import SimpleNamespace

import pytest

from teams.models import Membership
from tests.factories import (
    MembershipFactory,
    TeamFactory,
    TownshipFactory,
    VillageFactory,
)
from villages.models import Region

TODAY = datetime.date(2019, 12, 31)


@pytest.fixture
def today(settings):
    """The system's today: the last day of 2019, inside the 2018 term."""
    settings.ZHUCUN_TODAY = TODAY
    return TODAY


def team_of(township: Region, size: int):
    """A poor village of ``township`` with a team of ``size`` members in post."""
    village = VillageFactory(township=township, county=township.parent)
    team = TeamFactory(village=village)
    for i in range(size):
        role = Membership.Role.FIRST_SECRETARY if i == 0 else Membership.Role.MEMBER
        MembershipFactory(team=team, role=role)
    return team


def build_world(copies: int = 1) -> SimpleNamespace:
    """Per copy: in 昭觉县 a team of 4, a team of 2 (short) and a village without a
    team; in 锦江区 a team of 3."""
    zhaojue = Region.objects.get(code="513431")
    jinjiang = Region.objects.get(code="510104")
    world = SimpleNamespace(zhaojue=zhaojue, jinjiang=jinjiang, full=[], short=[])
    for _ in range(copies):
        township = TownshipFactory(parent=zhaojue)
        world.full.append(team_of(township, 4))
        world.short.append(team_of(township, 2))
        VillageFactory(township=township, county=zhaojue)
        world.township = township
        world.jinjiang_team = team_of(TownshipFactory(parent=jinjiang), 3)
    return world


@pytest.fixture
def world(db, today):
    return build_world()


def bulk_villages(count: int) -> None:
    """``count`` more poor villages, each with a team of two in post, two households
    (one visited this quarter) and the year's ¥20,000; half in 昭觉县, half in 锦江区.

    Bulk-created, so that 2,000 villages take a second or two.
    """
    from decimal import Decimal

    from attendance.models import HouseholdVisit
    from funding.models import Fund
    from teams.models import Person, Team
    from tests.factories import PersonFactory, TermFactory, UnitFactory
    from villages.models import Household, Village

    term = TermFactory()
    unit = UnitFactory()
    townships = []
    for code in ("513431", "510104"):
        parent = Region.objects.get(code=code)
        township = Region.objects.filter(parent=parent, code=f"{code}900").first()
        if township is None:
            township = TownshipFactory(parent=parent, code=f"{code}900")
        townships.append(township)
    start = Village.objects.filter(township__in=townships).count()
    villages = Village.objects.bulk_create(
        Village(
            township=townships[n % 2],
            county_id=townships[n % 2].parent_id,
            name=f"批量村{n}",
            household_count=2,
        )
        for n in range(start, start + count)
    )
    teams = Team.objects.bulk_create(
        Team(
            village=v,
            term=term,
            name=f"{v.name}驻村工作队",
            start_date=term.start_date,
            end_date=term.end_date,
        )
        for v in villages
    )
    people = Person.objects.bulk_create(
        PersonFactory.build(unit=unit) for _ in range(2 * count)
    )
    Membership.objects.bulk_create(
        MembershipFactory.build(
            team=team,
            person=people[2 * i + k],
            unit=unit,
            role=Membership.Role.FIRST_SECRETARY if k == 0 else Membership.Role.MEMBER,
        )
        for i, team in enumerate(teams)
        for k in range(2)
    )
    households = Household.objects.bulk_create(
        Household(village=v, head_name=f"户主{v.pk}-{k}")
        for v in villages
        for k in range(2)
    )
    HouseholdVisit.objects.bulk_create(
        HouseholdVisit(team=team, household=households[2 * i], visited_on=TODAY)
        for i, team in enumerate(teams)
    )
    Fund.objects.bulk_create(
        Fund(
            team=team,
            year=TODAY.year,
            amount=Decimal("20000"),
            source=Fund.Source.COUNTY,
            received_on=TODAY.replace(month=3, day=1),
        )
        for team in teams
    )
