"""Factories and small worlds for the rules engine tests.

``staffed_team`` builds a team that breaks no rule on its own: a first secretary who
leads it and members with every appointment step, filing, party transfer and
insurance in place. Tests bend one thing at a time.
"""

import datetime
from decimal import Decimal

import factory
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from attendance.models import (
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    TeamReport,
)
from compliance.rules import evaluate
from funding.models import Fund
from teams.models import Membership, Pairing, Team, Unit
from tests.factories import (
    HouseholdFactory,
    MembershipFactory,
    PersonFactory,
    TeamFactory,
    TermFactory,
    TownshipFactory,
    UnitFactory,
    VillageFactory,
    county,
)
from villages.models import Village

D = datetime.date
FS = Membership.Role.FIRST_SECRETARY
LEADER = Membership.Role.LEADER
MEMBER = Membership.Role.MEMBER

PENGZHOU = "510182"  # 彭州市: not Liangshan, not an ethnic area
DUJIANGYAN = "510181"  # 都江堰市
ZHAOJUE = "513431"  # 昭觉县: Liangshan, deep poverty, hardship class 2
BAIYU = "513331"  # 白玉县: Tibetan area, poor, hardship class 4
SEDA = "513333"  # 色达县: Tibetan area, poor, hardship class 6


def village_in(code: str = PENGZHOU, **fields) -> Village:
    """A registered poor village in a new township of the county ``code``."""
    return VillageFactory(township=TownshipFactory(parent=county(code)), **fields)


def member(team: Team, role: str = MEMBER, **fields) -> Membership:
    """A membership that is complete: appointed, filed, transferred, insured."""
    defaults = {
        "role": role,
        "is_leader": role in (FS, LEADER),
        "filed_on": D(2018, 6, 5),
        "party_relation_transferred_on": D(2018, 6, 10),
        "insured_until": D(2020, 5, 31),
    }
    return MembershipFactory(team=team, **{**defaults, **fields})


def staffed_team(
    code: str = PENGZHOU, size: int = 3, village: Village | None = None, **team_fields
) -> tuple[Team, list[Membership]]:
    """A team of ``size`` (the first secretary leading it) on a new village."""
    team = TeamFactory(village=village or village_in(code), **team_fields)
    members = [member(team, FS)] + [member(team) for _ in range(size - 1)]
    return team, members


def provincial_unit(**fields) -> Unit:
    defaults = {"level": Unit.Level.PROVINCIAL_DEPT, "region": county("510000")}
    return UnitFactory(**{**defaults, **fields})


def second_term(**fields):
    defaults = {
        "name": "2019—2021年驻村期",
        "start_date": D(2019, 1, 1),
        "end_date": D(2020, 12, 31),
        "in_post_deadline": D(2019, 1, 31),
    }
    return TermFactory(**{**defaults, **fields})


class PairingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pairing

    assisting_county = factory.LazyFunction(lambda: county(DUJIANGYAN))
    assisted_county = factory.LazyFunction(lambda: county(SEDA))


class TrainingEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingEvent

    name = factory.Sequence(lambda n: f"驻村工作队员培训班{n}")
    level = TrainingEvent.Level.COUNTY
    start_date = D(2019, 5, 10)
    days = Decimal("3")


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    event = factory.SubFactory(TrainingEventFactory)
    person = factory.SubFactory(PersonFactory)
    days = factory.LazyAttribute(lambda o: o.event.days)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    membership = factory.SubFactory(MembershipFactory)
    person = factory.LazyAttribute(lambda o: o.membership.person)
    kind = Assessment.Kind.ANNUAL
    year = 2019
    grade = Assessment.Grade.COMPETENT


class TargetLetterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetLetter

    team = factory.SubFactory(TeamFactory)
    year = 2019
    signed_on = D(2019, 2, 15)


class TargetItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TargetItem

    letter = factory.SubFactory(TargetLetterFactory)
    content = factory.Sequence(lambda n: f"目标任务{n}")
    responsible = None


class MonthlyAttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonthlyAttendance

    membership = factory.SubFactory(MembershipFactory)
    month = D(2019, 1, 1)
    in_post_days = 22


class HouseholdVisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = HouseholdVisit

    team = factory.SubFactory(TeamFactory)
    household = factory.SubFactory(
        HouseholdFactory, village=factory.SelfAttribute("..team.village")
    )
    visited_on = D(2019, 11, 5)


class TeamReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamReport

    team = factory.SubFactory(TeamFactory)
    year = 2019
    quarter = 4
    work = "走访农户，落实帮扶措施。"
    submitted_on = D(2019, 12, 20)


class LeaderMeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaderMeeting

    county = factory.LazyFunction(lambda: county(PENGZHOU))
    held_on = D(2019, 11, 20)


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund

    team = factory.SubFactory(TeamFactory)
    year = 2019
    amount = Decimal("20000")
    source = Fund.Source.COUNTY
    received_on = D(2019, 3, 1)


def only(code: str, as_of: datetime.date, **kwargs) -> list:
    """The findings of one rule."""
    return evaluate(as_of, rules=[code], **kwargs)


def queries_with(code: str, as_of: datetime.date) -> tuple[int, int]:
    """(queries run, findings) for one rule as of a day."""
    with CaptureQueriesContext(connection) as captured:
        findings = only(code, as_of)
    return len(captured), len(findings)


def assert_set_based(code: str, as_of: datetime.date, breach) -> None:
    """The rule's query count is the same with 2 and with 6 breaching objects."""
    breach(2)
    two_queries, two_findings = queries_with(code, as_of)
    breach(4)
    six_queries, six_findings = queries_with(code, as_of)
    assert (two_findings, six_findings) == (2, 6)
    assert six_queries == two_queries
