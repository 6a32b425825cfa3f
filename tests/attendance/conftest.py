"""A township with two teams, members, households and its clerks, on 2019-12-31."""

import datetime
from types import SimpleNamespace

import pytest

from teams.models import Membership
from tests.factories import (
    HouseholdFactory,
    MembershipFactory,
    TeamFactory,
    TownshipFactory,
    VillageFactory,
)
from villages.models import Region

D = datetime.date
TODAY = D(2019, 12, 31)
MONTH = D(2019, 11, 1)


@pytest.fixture
def today(settings):
    """The system's today (zhucun.clock): the last day of 2019, inside the 2018 term."""
    settings.ZHUCUN_TODAY = TODAY
    return TODAY


def build_township(county_code: str = "513431", members: int = 5) -> SimpleNamespace:
    """A township of ``county_code`` with two teams sharing ``members`` members."""
    county = Region.objects.get(code=county_code)
    township = TownshipFactory(parent=county)
    villages = [VillageFactory(township=township, county=county) for _ in range(2)]
    teams = [TeamFactory(village=v) for v in villages]
    roles = [Membership.Role.FIRST_SECRETARY, Membership.Role.LEADER]
    memberships = []
    for i in range(members):
        team = teams[i % 2]
        role = roles[i // 2] if i < 4 else Membership.Role.MEMBER
        memberships.append(
            MembershipFactory(
                team=team, role=role, is_leader=role == Membership.Role.LEADER
            )
        )
    households = [
        HouseholdFactory(village=villages[0], is_hardship_family=i == 0)
        for i in range(3)
    ] + [HouseholdFactory(village=villages[1]) for _ in range(2)]
    return SimpleNamespace(
        county=county,
        township=township,
        villages=villages,
        teams=teams,
        members=memberships,
        households=households,
    )


@pytest.fixture
def place(db, today):
    """昭觉县: a township with two teams and five members."""
    return build_township()


@pytest.fixture
def elsewhere(db, today):
    """内江市市中区: another county's township, with its own teams."""
    return build_township("511002", members=2)


@pytest.fixture
def clerk(scoped_user, place):
    """The township's clerk (乡镇工作人员)."""
    return scoped_user("township", place.township.code)


@pytest.fixture
def county_clerk(scoped_user, place):
    """昭觉县's organisation department (县委组织部)."""
    return scoped_user("county", place.county.code)
