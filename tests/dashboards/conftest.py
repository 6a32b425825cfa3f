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
