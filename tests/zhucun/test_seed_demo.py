"""seed_demo: a deterministic demo province with a deliberate breach of every rule."""

import datetime
import hashlib
import math
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from attendance.models import (
    AttendanceRollup,
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    TeamReport,
)
from compliance.models import ComplianceRun, FindingRecord
from funding.models import Fund
from teams.models import Membership, Pairing, Person, Team, Term, Unit, WorkCommittee
from villages.models import Household, Region, Village
from zhucun.demo import AS_OF, DELIBERATE_CASES, TERM_2021
from zhucun.demo.dates import ATTENDANCE_MONTHS
from zhucun.id_numbers import parse_id_number
from zhucun.models import AuditEntry
from zhucun.queries import active_on

SMALL = 200

# Every rule code of rules.md: each must have its deliberate case.
RULE_CODES = {
    "VILLAGE_WITHOUT_TEAM",
    "VILLAGE_MULTIPLE_TEAMS",
    "EXITED_VILLAGE_TEAM_WITHDRAWN",
    "TEAM_TOO_SMALL",
    "LIANGSHAN_TEAM_SIZE",
    "NO_FIRST_SECRETARY",
    "LEADER_NOT_QUALIFIED",
    "MEMBER_NOT_ON_STAFF",
    "TERM_NOT_TWO_YEARS",
    "PARTY_RELATION_NOT_TRANSFERRED",
    "UNIT_QUOTA_SHORT",
    "GRASSROOTS_CANDIDATES_NOT_SENT",
    "PAIRING_QUOTA_SHORT",
    "DEEP_POVERTY_LINK_UNSENT",
    "LATE_EXIT_VILLAGE_COMPOSITION",
    "LIANGSHAN_EXTRA_SECTOR",
    "NOT_IN_POST_BY_DEADLINE",
    "APPOINTMENT_INCOMPLETE",
    "UNFIT_NOT_REPLACED",
    "NOT_FILED",
    "HOUSEHOLDS_NOT_ALL_VISITED",
    "PRIORITY_HOUSEHOLD_NOT_VISITED",
    "NO_TARGET_LETTER",
    "NO_QUARTERLY_LEADER_MEETING",
    "ATTENDANCE_NOT_RECORDED",
    "NO_QUARTERLY_REPORT",
    "TRAINING_DAYS_SHORT",
    "EXCELLENT_OVER_CAP",
    "ASSESSMENT_MISSING",
    "UNIT_BARRED_FOR_UNFIT",
    "UNIT_BARRED_FOR_VILLAGE",
    "NO_COUNTY_LEADER_LINK",
    "FUNDING_SHORT",
    "FUNDING_WRONG_SOURCE",
    "NO_ACCIDENT_INSURANCE",
}

# Everything the seed writes, children before parents (the order to delete in).
SEEDED = (
    Fund,
    TargetItem,
    TargetLetter,
    Assessment,
    TrainingRecord,
    TrainingEvent,
    LeaderMeeting.attendees.through,
    LeaderMeeting,
    TeamReport,
    HouseholdVisit,
    AttendanceSubmission,
    MonthlyAttendance,
)


def seed(villages: int = SMALL, seed: int = 7) -> str:
    out = StringIO()
    call_command("seed_demo", villages=villages, seed=seed, stdout=out)
    return out.getvalue()


def wipe() -> None:
    """Remove everything the seed wrote (the divisions and the 2018 term stay)."""
    FindingRecord.objects.all().delete()
    ComplianceRun.objects.all().delete()
    AttendanceRollup.objects.all().delete()
    for model in SEEDED:
        model.objects.all().delete()
    Membership.objects.update(replaced_by=None)
    Membership.objects.all().delete()
    Team.objects.all().delete()
    Person.objects.all().delete()
    Term.objects.filter(name=TERM_2021.name).delete()
    Pairing.objects.all().delete()
    Unit.objects.all().delete()
    WorkCommittee.objects.all().delete()
    Household.objects.all().delete()
    Village.objects.all().delete()
    Region.objects.filter(level=Region.Level.TOWNSHIP).delete()
    AuditEntry.objects.all().delete()


def digest() -> str:
    """A fingerprint of the codes, ids and names the seed wrote."""
    parts = [
        Region.objects.filter(level=Region.Level.TOWNSHIP).values_list(
            "id", "code", "name", "parent_id"
        ),
        Village.objects.values_list("id", "code", "name", "county_leader"),
        Household.objects.values_list("id", "village_id", "head_name"),
        Unit.objects.values_list("id", "name", "staff_count"),
        Person.objects.values_list("id", "id_number", "name", "rank"),
        Team.objects.values_list("id", "village_id", "term_id", "end_date"),
        Membership.objects.values_list("id", "person_id", "team_id", "role", "unit_id"),
        MonthlyAttendance.objects.values_list("id", "membership_id", "in_post_days"),
        Assessment.objects.values_list("id", "person_id", "year", "grade"),
        Fund.objects.values_list("id", "team_id", "year", "amount", "source"),
    ]
    text = repr([list(qs.order_by("id")) for qs in parts])
    return hashlib.sha256(text.encode()).hexdigest()


def active_sizes() -> dict[int, int]:
    """Members active on the demo's date, per team of the current term."""
    rows = (
        Membership.objects.filter(active_on(AS_OF), team__term__name=TERM_2021.name)
        .values("team_id")
        .annotate(n=Count("id"))
    )
    sizes = {
        t: 0
        for t in Team.objects.filter(term__name=TERM_2021.name).values_list(
            "id", flat=True
        )
    }
    sizes.update({r["team_id"]: r["n"] for r in rows})
    return sizes


def case_objects(out: str, code: str) -> list[str]:
    """The objects the command printed under a rule code."""
    block = out.split(f"  {code}：", 1)[1].split("\n")[1:]
    objects = []
    for line in block:
        if not line.startswith("      → "):
            break
        objects.append(line.removeprefix("      → "))
    return objects


def quota(staff: int) -> int:
    return 4 if staff >= 100 else 2 if staff >= 51 else 1


def test_small_province_lies_on_real_counties_through_townships(db):
    """Exactly N villages, each under a township under a real county, with households."""
    seed()

    villages = Village.objects.select_related("township__parent", "county")
    assert villages.count() == SMALL
    for village in villages:
        township = village.township
        assert township.level == Region.Level.TOWNSHIP
        assert township.parent.level == Region.Level.COUNTY
        assert village.county_id == township.parent_id
        assert len(township.code) == 9 and township.code.startswith(
            township.parent.code
        )
        assert len(village.code) == 12 and village.code.startswith(township.code)
        assert village.is_registered_poor
    households = dict(
        Village.objects.annotate(n=Count("households")).values_list("id", "n")
    )
    assert households == dict(Village.objects.values_list("id", "household_count"))
    assert all(20 <= n <= 60 for n in households.values())
    per_county = Counter(
        Region.objects.filter(level=Region.Level.TOWNSHIP).values_list(
            "parent_id", flat=True
        )
    )
    assert len(per_county) == 183
    assert all(5 <= n <= 20 for n in per_county.values())
    assert Village.objects.filter(county__code__startswith="5134").count() > 20
    assert Term.objects.count() == 2


def test_liangshan_teams_have_four_to_seven_but_the_two_deliberate_ones(db):
    """二(三): 4–7 in 凉山州; only the cases of 3 and of 8 (written in bulk) differ."""
    out = seed()

    sizes = active_sizes()
    current = Team.objects.filter(term__name=TERM_2021.name).select_related("village")
    liangshan = [t for t in current if t.village.code.startswith("5134")]
    outside = {
        t.village.code: sizes[t.id] for t in liangshan if not 4 <= sizes[t.id] <= 7
    }
    assert sorted(outside.values()) == [3, 8]
    listed = " ".join(case_objects(out, "LIANGSHAN_TEAM_SIZE"))
    assert all(code in listed for code in outside)
    elsewhere = [sizes[t.id] for t in current if not t.village.code.startswith("5134")]
    assert sorted(n for n in elsewhere if not 3 <= n <= 5) == [2]  # TEAM_TOO_SMALL


def test_every_person_has_a_valid_id_number_matching_birth_date_and_gender(db):
    seed()

    people = list(Person.objects.values_list("id_number", "birth_date", "gender"))
    assert len(people) > 4 * SMALL
    for number, birth_date, gender in people:
        facts = parse_id_number(number)
        assert (facts.birth_date, facts.gender) == (birth_date, gender)
        assert 1965 <= birth_date.year <= 1995
    assert Region.objects.filter(
        code__in={n[:6] for n, _, _ in people}, level=Region.Level.COUNTY
    ).count() == len({n[:6] for n, _, _ in people})


def test_no_person_serves_on_two_teams_at_once(db):
    seed()

    spans = defaultdict(list)
    for person, start, end in Membership.objects.values_list(
        "person_id", "start_date", "end_date"
    ):
        spans[person].append((start, end or datetime.date.max))
    for periods in spans.values():
        periods.sort()
        for (_, end), (start, _) in zip(periods, periods[1:], strict=False):
            assert start > end
    returning = Person.objects.annotate(n=Count("memberships")).filter(n__gt=1)
    assert returning.exists()  # some 2018 members came back for 2021


def test_one_first_secretary_per_team_and_quotas_met_but_for_the_deliberate(db):
    """一(二), 二(一), 二(二): the only breaches are the cases the command lists."""
    out = seed()

    current = Membership.objects.filter(
        active_on(AS_OF), team__term__name=TERM_2021.name
    )
    secretaries = Counter(
        current.filter(role=Membership.Role.FIRST_SECRETARY).values_list(
            "team_id", flat=True
        )
    )
    no_secretary = set(active_sizes()) - set(secretaries)
    assert len(no_secretary) == 1 and max(secretaries.values()) == 1
    sent = Counter(current.values_list("unit_id", flat=True))
    short = [
        u.name
        for u in Unit.objects.filter(level__in=Unit.PROVINCIAL_LEVELS)
        if sent[u.id] < quota(u.staff_count)
    ]
    assert len(short) == 1 and short[0] in out
    poor = Counter(Village.objects.values_list("county_id", flat=True))
    pairing_short = [
        p
        for p in Pairing.objects.all()
        if current.filter(
            unit__region_id=p.assisting_county_id,
            team__village__county_id=p.assisted_county_id,
        ).count()
        < math.ceil(0.3 * poor[p.assisted_county_id])
    ]
    assert len(pairing_short) == 1
    assert Pairing.objects.count() == 30
    assert set(Unit.objects.values_list("unit_type", flat=True)) == set(
        Unit.Type.values
    )
    assert set(Unit.Level.values) <= set(Unit.objects.values_list("level", flat=True))


def test_duties_are_complete_but_for_the_deliberate_gaps(db):
    """四(一)(二)(三): attendance, training, grades and the 20% cap, but one place each."""
    seed()

    current = Membership.objects.filter(team__term__name=TERM_2021.name)
    recorded = set(MonthlyAttendance.objects.values_list("membership_id", "month"))
    missing = [
        (m.id, month)
        for m in current
        for month in ATTENDANCE_MONTHS
        if m.start_date <= month.replace(day=28)
        and (m.end_date is None or m.end_date >= month)
        and (m.id, month) not in recorded
    ]
    assert [month for _, month in missing] == [datetime.date(2022, 11, 1)]
    served = current.filter(start_date__lte=datetime.date(2022, 12, 31)).filter(
        Q(end_date=None) | Q(end_date__gte=datetime.date(2022, 1, 1))
    )
    training = defaultdict(int)
    for person, days in TrainingRecord.objects.filter(
        event__start_date__year=2022
    ).values_list("person_id", "days"):
        training[person] += days
    assert len([m for m in served if training[m.person_id] < 5]) == 1
    grades = dict(
        Assessment.objects.filter(year=2022).values_list("person_id", "grade")
    )
    assert len([m for m in served if m.person_id not in grades]) == 1
    assert list(grades.values()).count(Assessment.Grade.INCOMPETENT) == 1
    counts = defaultdict(lambda: [0, 0])
    for m in served.exclude(role=Membership.Role.FIRST_SECRETARY).select_related(
        "team__village"
    ):
        county = counts[m.team.village.county_id]
        county[0] += 1
        county[1] += grades.get(m.person_id) == Assessment.Grade.EXCELLENT
    over = [
        c for c, (n, excellent) in counts.items() if excellent > math.floor(0.2 * n)
    ]
    assert len(over) == 1


def test_command_lists_a_deliberate_case_for_every_rule(db):
    out = seed()

    assert set(DELIBERATE_CASES) == RULE_CODES
    for code in RULE_CODES:
        assert case_objects(out, code), code
    assert "数据汇总" in out and "月度考勤" in out


def test_unsent_cadres_carry_the_mark_the_command_names(db):
    """二(一) 应派尽派: each listed cadre has that mark and no membership."""
    out = seed()

    labels = {
        str(f.verbose_name): f.name
        for f in Person._meta.concrete_fields
        if f.name.startswith("is_")
    }
    listed = case_objects(out, "GRASSROOTS_CANDIDATES_NOT_SENT")
    assert len(listed) == 4
    for line in listed:
        name, rest = line.removeprefix("干部 ").split("（", 1)
        unit, mark = rest.rstrip("）").split("，")
        person = Person.objects.get(name=name, unit__name=unit, memberships=None)
        marks = {f for f in labels.values() if getattr(person, f)}
        assert marks == {labels[mark]}


def test_same_seed_writes_the_same_rows_and_another_seed_does_not(db):
    seed(seed=11)
    first = digest()
    wipe()

    seed(seed=11)
    again = digest()
    wipe()
    seed(seed=12)

    assert again == first
    assert digest() != first


def test_refuses_a_database_that_already_has_villages(db):
    seed()
    people = Person.objects.count()

    with pytest.raises(CommandError, match="已有村的数据"):
        seed(seed=8)

    assert Person.objects.count() == people
    assert Village.objects.count() == SMALL


def test_refuses_a_province_too_small_for_every_case(db):
    with pytest.raises(CommandError, match="至少需要"):
        seed(villages=20)

    assert not Village.objects.exists()


def test_one_audit_entry_summarises_the_seed(db):
    """One entry for the rows; the rollups and the snapshot log theirs, as nightly."""
    seed()

    entry = AuditEntry.objects.get(model="seed_demo")
    assert entry.changes["villages"] == SMALL
    assert entry.changes["counts"]["villages.Village"] == SMALL
    assert entry.changes["counts"]["attendance.MonthlyAttendance"] > 0
    others = AuditEntry.objects.exclude(pk=entry.pk)
    assert sorted(set(others.values_list("model", flat=True))) == [
        "attendance.attendancerollup",
        "compliance.compliancerun",
    ]
    assert others.filter(model="attendance.attendancerollup").count() == len(
        ATTENDANCE_MONTHS
    )


def test_the_first_screen_has_the_rollups_and_the_snapshot_of_the_demo(db):
    """A fresh set-up shows findings and every month: nothing waits for the night."""
    seed()

    months = set(
        AttendanceRollup.objects.filter(
            level=AttendanceRollup.Level.PROVINCE
        ).values_list("month", flat=True)
    )
    assert months == set(ATTENDANCE_MONTHS)
    run = ComplianceRun.objects.get()
    assert run.status == ComplianceRun.Status.DONE
    assert run.as_of == AS_OF and run.region is None
    found = set(FindingRecord.objects.values_list("rule", flat=True).distinct())
    assert found == RULE_CODES
