"""Part 四's records of the current term: attendance, visits, reports, meetings."""

import datetime
import random
import zoneinfo
from collections import defaultdict

from attendance.models import (
    AttendanceSubmission,
    HouseholdVisit,
    LeaderMeeting,
    MonthlyAttendance,
    TeamReport,
)

from .cases import CaseBook
from .dates import (
    AS_OF,
    ATTENDANCE_MONTHS,
    CURRENT_QUARTERS,
    VISIT_QUARTER,
    days_in_month,
    quarter_bounds,
)
from .plan import County, Member, Team, team_label
from .store import Store

days = datetime.timedelta
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MISSING_MONTH = datetime.date(2022, 11, 1)
SKIPPED_QUARTERS = ((2022, 3), (2022, 4))

VISIT_NOTES = (
    "了解家庭收入和务工情况",
    "宣传产业扶持政策",
    "核实“两不愁三保障”情况",
    "帮助联系务工岗位",
    "了解子女就学情况",
    "慰问并了解老人身体状况",
    "协调解决饮水问题",
    "指导发展种养殖业",
    "宣讲惠民政策",
    "",
)
REPORT_THINKING = (
    "队员思想稳定，安心驻村，自觉服从乡镇党委管理。",
    "全体队员坚持学习，思想上与党中央保持一致。",
    "队员克服家庭困难，扎根村里，工作热情较高。",
)
REPORT_WORK = (
    "本季度完成入户走访{visits}户次，协调落实产业项目{projects}个，"
    "帮助村集体经济增收。",
    "本季度开展农民夜校{projects}期，走访农户{visits}户次，"
    "推动基础设施建设和人居环境整治。",
    "本季度组织村两委召开会议{projects}次，走访农户{visits}户次，落实防返贫动态监测。",
)
REPORT_STUDY = (
    "参加县乡组织的集中学习，自学政策文件。",
    "坚持每周学习，撰写学习心得。",
    "通过学习强国、专题讲座等方式学习。",
)


class Duties:
    def __init__(self, store: Store, rng: random.Random, cases: CaseBook):
        self.store = store
        self.rng = rng
        self.cases = cases

    def attendance(self, teams: list[Team]) -> None:
        """One row per active member and month, June 2021 to December 2022."""
        rng = self.rng
        table = self.store.table(
            MonthlyAttendance,
            "membership_id month in_post_days leave_days trip_days remark",
        )
        lengths = {m: days_in_month(m) for m in ATTENDANCE_MONTHS}
        last_day = {m: m + days(lengths[m] - 1) for m in ATTENDANCE_MONTHS}
        randint, random_ = rng.randint, rng.random
        for team in teams:
            for member in team.members:
                missing = member.case == "ATTENDANCE_NOT_RECORDED"
                for month in ATTENDANCE_MONTHS:
                    if not member.active_in(month, last_day[month]):
                        continue
                    if missing and month == MISSING_MONTH:
                        continue
                    length = lengths[month]
                    share = 1.0
                    if member.start > month:
                        share = (length - member.start.day + 1) / length
                    leave = randint(0, 3) if random_() < 0.4 else 0
                    trip = randint(1, 3) if random_() < 0.3 else 0
                    in_post = min(length - leave - trip, randint(20, 25))
                    remark = f"请假{leave}天" if leave >= 3 else ""
                    table.add(
                        member.id,
                        month,
                        max(1, round(in_post * share)),
                        leave,
                        trip,
                        remark,
                    )

    def submissions(self, teams: list[Team]) -> None:
        """Each township with teams submitted each month a few days after it ended."""
        table = self.store.table(
            AttendanceSubmission,
            "township_id month submitted_at submitted_by_id reopened_reason",
        )
        townships = sorted({t.village.township.id for t in teams})
        for month in ATTENDANCE_MONTHS:
            following = month + days(days_in_month(month))
            for township in townships:
                at = datetime.datetime.combine(
                    following + days(self.rng.randint(1, 6)),
                    datetime.time(self.rng.randint(8, 17), self.rng.randrange(60)),
                    tzinfo=SHANGHAI,
                )
                table.add(township, month, at, None, "")

    def visits(self, teams: list[Team]) -> None:
        """2022 Q4: every household once, every 必访户 twice."""
        rng = self.rng
        first, last = quarter_bounds(*VISIT_QUARTER)
        last = min(last, AS_OF)
        span = (last - first).days
        table = self.store.table(
            HouseholdVisit, "team_id household_id membership_id visited_on notes"
        )
        for team in teams:
            members = [m for m in team.members if m.active_in(first, last)]
            if not members:
                continue
            households = team.village.households
            skipped: set[int] = set()
            if team.case == "HOUSEHOLDS_NOT_ALL_VISITED":
                ordinary = [h for h, priority in households if not priority]
                skipped = set(rng.sample(ordinary, max(1, len(ordinary) // 3)))
                self.cases.note(
                    team.case,
                    f"{team_label(team)}：{len(households)}户中{len(skipped)}户未走访",
                )
            elif team.case == "PRIORITY_HOUSEHOLD_NOT_VISITED":
                priority = [h for h, is_priority in households if is_priority]
                skipped = {rng.choice(priority)}
                self.cases.note(
                    team.case, f"{team_label(team)}：农户编号{min(skipped)}"
                )
            for household, priority in households:
                if household in skipped:
                    continue
                for _ in range(2 if priority else 1):
                    table.add(
                        team.id,
                        household,
                        rng.choice(members).id,
                        first + days(rng.randint(0, span)),
                        rng.choice(VISIT_NOTES),
                    )

    def reports(self, teams: list[Team]) -> None:
        """A quarterly report from each team for every quarter it served in full."""
        rng = self.rng
        table = self.store.table(
            TeamReport, "team_id year quarter thinking work study submitted_on"
        )
        for team in teams:
            for year, quarter in CURRENT_QUARTERS:
                first, last = quarter_bounds(year, quarter)
                if team.end is not None and team.end < last:
                    continue
                if team.case == "NO_QUARTERLY_REPORT" and (year, quarter) in (
                    SKIPPED_QUARTERS
                ):
                    continue
                work = rng.choice(REPORT_WORK).format(
                    visits=rng.randint(40, 160), projects=rng.randint(1, 5)
                )
                table.add(
                    team.id,
                    year,
                    quarter,
                    rng.choice(REPORT_THINKING),
                    work,
                    rng.choice(REPORT_STUDY),
                    last - days(rng.randint(2, 12)),
                )
            if team.case == "NO_QUARTERLY_REPORT":
                self.cases.note(
                    team.case, f"{team_label(team)}：缺2022年第三、四季度报告"
                )

    def meetings(self, teams: list[Team], counties: list[County], skip: County) -> None:
        """A team-leader meeting in every county with teams, every quarter."""
        rng = self.rng
        table = self.store.table(LeaderMeeting, "county_id held_on minutes")
        through = LeaderMeeting.attendees.through
        attendees = self.store.table(through, "leadermeeting_id membership_id")
        leaders: dict[int, list[Member]] = defaultdict(list)
        for team in teams:
            for m in team.members:
                if m.is_leader:
                    leaders[team.county.id].append(m)
        for county in counties:
            if county.id not in leaders:
                continue
            for year, quarter in CURRENT_QUARTERS:
                if county is skip and (year, quarter) in SKIPPED_QUARTERS:
                    continue
                first, last = quarter_bounds(year, quarter)
                held_on = first + days(rng.randint(15, 75))
                meeting = table.add(
                    county.id,
                    held_on,
                    f"{county.label}{year}年第{quarter}季度驻村工作队队长会议："
                    "通报考勤和走访情况，部署下阶段重点工作。",
                )
                for m in leaders[county.id]:
                    if m.active_in(held_on, held_on):
                        attendees.add(meeting, m.id)
        self.cases.note(
            "NO_QUARTERLY_LEADER_MEETING", f"县 {skip.label}（{skip.code}）"
        )
