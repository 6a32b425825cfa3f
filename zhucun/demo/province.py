"""Build the whole demo province in one transaction, stage by stage."""

import random
import time
from collections.abc import Callable

from django.db import connection, transaction
from django.utils.translation import gettext as _

from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from attendance.models import (
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    TeamReport,
)
from attendance.rollups import attendance_rollup
from compliance.services import compliance_refresh
from dashboards.summaries import place_summary_refresh
from funding.models import Fund
from teams.models import Membership, Pairing, Person, Team, Term, Unit, WorkCommittee
from villages.models import Household, Region, Village
from zhucun.audit import audit_record_about
from zhucun.models import AuditEntry

from .cases import DELIBERATE_CASES, MIN_VILLAGES, CaseBook
from .dates import AS_OF, ATTENDANCE_MONTHS, TERM_2018, TERM_2021, TermSpec
from .duties import Duties
from .funds import write_funds
from .geography import FULL_SIZE, load_divisions, plan_geography, write_villages
from .grades import Grades
from .plan import village_label
from .staffing import Staffing
from .store import Store
from .units import UnitPlanner, provides_provincial_funds

DEFAULT_SEED = 2018

# What the summary counts, in the order it prints them.
SUMMARY_MODELS = (
    Region,
    Village,
    Household,
    WorkCommittee,
    Unit,
    Pairing,
    Term,
    Team,
    Person,
    Membership,
    MonthlyAttendance,
    AttendanceSubmission,
    HouseholdVisit,
    TeamReport,
    LeaderMeeting,
    TrainingEvent,
    TrainingRecord,
    Assessment,
    TargetLetter,
    TargetItem,
    Fund,
)


class SeedRefused(Exception):
    """The database already holds villages: the demo is only laid on an empty one."""


def seed_province(
    *, villages: int = FULL_SIZE, seed: int = DEFAULT_SEED, log: Callable = print
) -> dict[str, list[str]]:
    """Write the demo province; return the labels of the objects of each deliberate case."""
    if villages < MIN_VILLAGES:
        raise SeedRefused(
            _("演示数据至少需要%(min)d个村，才能容纳所有违规样例。")
            % {"min": MIN_VILLAGES}
        )
    clock = _Clock(log)
    with transaction.atomic():
        if Village.objects.exists():
            raise SeedRefused(
                _(
                    "数据库中已有村的数据，seed_demo 只在没有村的数据库上运行，"
                    "以免与真实数据混在一起。请换用空数据库（或先清空）后再运行。"
                )
            )
        cases = _build(villages, seed, clock)
        audit_record_about(
            source="command",
            action=AuditEntry.Action.CREATE,
            model="seed_demo",
            object_id=str(seed),
            object_repr=_("演示省份：%(n)d个村，随机种子%(seed)d")
            % {"n": villages, "seed": seed},
            changes={"villages": villages, "seed": seed, "counts": count_rows()},
        )
    clock.done(_("事务已提交（数据库在此检查全部外键）"))
    _analyze()
    clock.done(_("统计信息已更新"))
    _derive(clock)
    return cases


def _derive(clock: "_Clock") -> None:
    """Compute what the nightly schedule would, so the first screen is true.

    Without this a fresh ``make run`` shows no monthly rollup and no compliance
    snapshot until the first night: charts short of months, and "no findings"
    where the demo holds a breach of every rule. The same services the tasks
    call, run here synchronously as of the demo's day; each records its own
    audit entry, as a nightly run does.
    """
    for month in ATTENDANCE_MONTHS:
        attendance_rollup(month=month)
    clock.done(_("月度在岗汇总已生成（%(n)d个月）") % {"n": len(ATTENDANCE_MONTHS)})
    # The dashboards read the counties' counts from their summary, as of the
    # demo's day (the nightly rollup keeps it up to date afterwards); the seed's
    # one audit entry stands for this write too.
    place_summary_refresh(year=AS_OF.year, audit=False)
    clock.done(_("县级看板汇总已生成"))
    run = compliance_refresh(as_of=AS_OF)
    clock.done(
        _("合规检查快照已生成：截至%(day)s，%(n)d个问题")
        % {"day": AS_OF.isoformat(), "n": run.finding_count}
    )


def _build(total: int, seed: int, clock: "_Clock") -> dict[str, list[str]]:
    def rng(stage: str) -> random.Random:
        # One generator per stage: a change in one stage leaves the others' draws alone.
        return random.Random(f"{seed}:{stage}")

    store = Store()
    province = Region.objects.get(level=Region.Level.PROVINCE)
    prefectures, counties = load_divisions()
    term_ids = _terms(store)

    villages = plan_geography(store, rng("geography"), counties, total)
    cases = CaseBook(rng("cases"))
    cases.cast_villages(villages, provides_provincial_funds)
    _bend_villages(cases)
    write_villages(store, rng("households"), villages)
    clock.done(
        _("乡镇、村和农户：%(t)d个乡镇，%(v)d个村，%(h)d户")
        % {
            "t": sum(len(c.townships) for c in counties),
            "v": len(villages),
            "h": sum(len(v.households) for v in villages),
        }
    )

    planner = UnitPlanner(store, rng("units"), cases, total)
    planner.plan_committees(province, prefectures, counties)
    planner.plan_pairings(counties)
    planner.plan_provincial(
        province, [c for c in counties if c.deep_poverty and c.villages]
    )
    planner.plan_local(prefectures, counties)
    staffing = Staffing(store, rng("staffing"), cases, planner, counties)
    old_teams = staffing.plan_teams(villages, TERM_2018, term_ids[TERM_2018])
    staffing.allocate(old_teams, current=False)
    staffing.staff(old_teams, TERM_2018)
    teams = staffing.plan_teams(villages, TERM_2021, term_ids[TERM_2021])
    staffing.allocate(teams, current=True)
    staffing.staff(teams, TERM_2021)
    staffing.unsent_candidates()
    planner.write()
    store.flush()
    clock.done(
        _("单位、干部和工作队：%(u)d个单位，%(p)d名干部，%(t)d支工作队，%(m)d条任职")
        % {
            "u": len(planner.units),
            "p": store.tables[Person].written,
            "t": len(old_teams) + len(teams),
            "m": store.tables[Membership].written,
        }
    )

    duties = Duties(store, rng("duties"), cases)
    duties.attendance(teams)
    duties.submissions(teams)
    store.flush()
    clock.done(_("月度考勤：%(n)d条") % {"n": store.tables[MonthlyAttendance].written})
    duties.visits(teams)
    duties.reports(teams)
    staffed = {t.county.id for t in teams}
    with_teams = [c for c in counties if c.id in staffed]
    meeting_gap = cases.cast_county("NO_QUARTERLY_LEADER_MEETING", _plain(with_teams))
    duties.meetings(teams, counties, meeting_gap)
    grades = Grades(store, rng("grades"), cases)
    grades.training(teams)
    over_cap = cases.cast_county("EXCELLENT_OVER_CAP", _largest(with_teams))
    grades.assessments(teams, over_cap)
    grades.target_letters(teams)
    write_funds(store, rng("funds"), cases, old_teams + teams)
    store.flush()
    store.reset_sequences()
    clock.done(_("走访、报告、会议、培训、考核、责任书和经费"))

    missing = set(DELIBERATE_CASES) - set(cases.labels)
    if missing:
        raise RuntimeError(f"deliberate cases not written: {sorted(missing)}")
    return dict(cases.labels)


def _terms(store: Store) -> dict[TermSpec, int]:
    """The 2018 term (from its migration) and the 2021 term, created when missing."""
    table = store.table(Term, "name start_date end_date in_post_deadline")
    ids = {}
    for spec in (TERM_2018, TERM_2021):
        pk = Term.objects.filter(name=spec.name).values_list("id", flat=True).first()
        ids[spec] = pk or table.add(
            spec.name, spec.start, spec.end, spec.in_post_deadline
        )
    table.flush()
    return ids


def _bend_villages(cases: CaseBook) -> None:
    """Village fields of the village-level cases."""
    villages = cases.villages
    villages["EXITED_VILLAGE_TEAM_WITHDRAWN"].planned_exit_year = 2018
    villages["EXITED_VILLAGE_TEAM_WITHDRAWN"].actual_exit_year = 2018
    late = villages["LATE_EXIT_VILLAGE_COMPOSITION"]
    late.planned_exit_year = late.actual_exit_year = 2019
    unexited = villages["UNIT_BARRED_FOR_VILLAGE"]
    unexited.planned_exit_year, unexited.actual_exit_year = 2020, None
    cases.note(
        "UNIT_BARRED_FOR_VILLAGE", village_label(unexited) + "（计划2020年退出）"
    )
    unlinked = villages["NO_COUNTY_LEADER_LINK"]
    unlinked.county_leader = ""
    cases.note("NO_COUNTY_LEADER_LINK", village_label(unlinked))


def _plain(counties: list) -> list:
    return [c for c in counties if not c.is_liangshan]


def _largest(counties: list) -> list:
    """Non-Liangshan counties with the most villages: room to break the 20% cap."""
    plain = _plain(counties)
    most = max(len(c.villages) for c in plain)
    return [c for c in plain if len(c.villages) >= min(most, 3)]


def count_rows() -> dict[str, int]:
    """Rows per model (townships for Region), keyed by the model's label."""
    counts = {}
    for model in SUMMARY_MODELS:
        qs = model.objects.all()
        if model is Region:
            qs = qs.filter(level=Region.Level.TOWNSHIP)
        counts[model._meta.label] = qs.count()
    return counts


def _analyze() -> None:
    """Refresh the planner's statistics after millions of new rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")


class _Clock:
    def __init__(self, log: Callable):
        self.log = log
        self.start = self.last = time.monotonic()

    def done(self, what: str) -> None:
        now = time.monotonic()
        self.log(f"{what}（{now - self.last:.1f}秒，累计{now - self.start:.1f}秒）")
        self.last = now
