"""A small province for the compliance snapshot tests: a breach of every kind of object.

In 彭州市 a poor village without a team and a team of two; in 昭觉县 (Liangshan) a
team of three, whose members' unit is 昭觉县's; a provincial unit that sends nobody;
a pairing 都江堰市 → 色达县 with nobody sent. Judged on ``AS_OF``, when the teams
are in post, it yields village, team, member, county, unit and pairing findings.
Names carry markers (甲县…, 乙县…) so that a page showing another county's rows
is caught by a substring test.
"""

import datetime
from types import SimpleNamespace

from teams.models import Membership
from tests.assessments.factories import (
    DUJIANGYAN,
    PENGZHOU,
    SEDA,
    ZHAOJUE,
    PairingFactory,
    member,
    provincial_unit,
    village_in,
)
from tests.factories import TeamFactory, UnitFactory, WorkCommitteeFactory, county

AS_OF = datetime.date(2019, 6, 30)
PASSWORD = "Zhucun@2026test"


def compliance_world() -> SimpleNamespace:
    """The rows of the small province (no snapshot yet)."""
    committee = WorkCommitteeFactory(name="昭觉县直机关工委", region=county(ZHAOJUE))
    zhaojue_unit = UnitFactory(
        name="甲县派出单位", region=county(ZHAOJUE), work_committee=committee
    )
    zhaojue_team, zhaojue_members = _team(
        ZHAOJUE, "甲县专用村", "甲县干部", 3, zhaojue_unit
    )
    pengzhou_unit = UnitFactory(name="乙县派出单位", region=county(PENGZHOU))
    bare = village_in(PENGZHOU, name="乙县无队村")
    pengzhou_team, pengzhou_members = _team(
        PENGZHOU, "乙县专用村", "乙县干部", 2, pengzhou_unit
    )
    provincial = provincial_unit(name="省直测试厅", staff_count=120)
    seda_village = village_in(SEDA, name="色达测试村")
    pairing = PairingFactory(
        assisting_county=county(DUJIANGYAN), assisted_county=county(SEDA)
    )
    return SimpleNamespace(
        committee=committee,
        zhaojue_unit=zhaojue_unit,
        zhaojue_team=zhaojue_team,
        zhaojue_members=zhaojue_members,
        pengzhou_unit=pengzhou_unit,
        pengzhou_team=pengzhou_team,
        pengzhou_members=pengzhou_members,
        bare_village=bare,
        provincial_unit=provincial,
        seda_village=seda_village,
        pairing=pairing,
    )


def _team(code: str, village: str, person: str, size: int, unit):
    """A team of ``size`` on a new village, the first secretary leading it."""
    team = TeamFactory(village=village_in(code, name=village))
    members = [
        member(
            team,
            Membership.Role.FIRST_SECRETARY if n == 0 else Membership.Role.MEMBER,
            person__name=f"{person}{n}",
            person__unit=unit,
            unit=unit,
        )
        for n in range(size)
    ]
    return team, members
