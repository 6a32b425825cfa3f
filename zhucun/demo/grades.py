"""Training (四(二)), annual grades (四(三)) and target letters (三) of the current term."""

import datetime
import math
import random
from collections import defaultdict
from decimal import Decimal

from assessments.models import (
    Assessment,
    TargetItem,
    TargetLetter,
    TrainingEvent,
    TrainingRecord,
)
from teams.models import Membership

from .cases import CaseBook
from .dates import AS_OF, CURRENT_YEARS
from .plan import County, Member, Team, team_label
from .store import Store

days = datetime.timedelta
Grade = Assessment.Grade
FIRST_SECRETARY = Membership.Role.FIRST_SECRETARY

COUNTY_DAYS, PREFECTURE_DAYS, PROVINCE_DAYS = (
    Decimal("3.0"),
    Decimal("2.0"),
    Decimal("5.0"),
)
# Months of each year's county and prefecture courses: after the 2021 term began
# (and after the late arrivals of 2021-08-16).
COURSE_MONTHS = {2021: (9, 10), 2022: (5, 7)}
PROVINCE_SESSIONS = {2021: (7, 8, 10, 11), 2022: (4, 6, 8, 10)}
PROVINCE_SHARE = 0.3  # of first secretaries, at a provincial course each year
EXCELLENT_SHARE = 0.15  # of members without first secretaries; the cap is 20%
SCORES = [Decimal(n).scaleb(-2) for n in range(0, 10001)]

TARGET_ITEMS = (
    "完成贫困户“一户一策”帮扶计划并逐户落实",
    "村集体经济年收入达到{n}万元",
    "开办农民夜校不少于{n}期",
    "建强村党组织，发展党员{n}名",
    "落实控辍保学，适龄儿童入学率100%",
    "协调实施产业项目{n}个",
    "开展防返贫动态监测，每月排查一次",
    "完成人居环境整治，新建改建户厕{n}户",
    "组织劳务输出{n}人次",
    "推动饮水安全巩固提升工程完工",
)
EVIDENCE = ("", "工作台账", "会议记录、照片", "验收报告", "帮扶手册")


def _served(teams: list[Team], year: int) -> list[Member]:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return [m for t in teams for m in t.members if m.active_in(first, last)]


class Grades:
    def __init__(self, store: Store, rng: random.Random, cases: CaseBook):
        self.store = store
        self.rng = rng
        self.cases = cases

    def training(self, teams: list[Team]) -> None:
        """County (3 days) and prefecture (2 days) courses for all; some at the province."""
        rng = self.rng
        events = self.store.table(TrainingEvent, "name level start_date days")
        records = self.store.table(TrainingRecord, "event_id person_id days")
        level = TrainingEvent.Level
        for year in CURRENT_YEARS:
            county_month, prefecture_month = COURSE_MONTHS[year]
            county_events: dict[int, int] = {}
            prefecture_events: dict[int, int] = {}
            province_events = [
                events.add(
                    f"全省驻村第一书记示范培训班（{year}年第{k}期）",
                    level.PROVINCE,
                    datetime.date(year, month, rng.randint(5, 20)),
                    PROVINCE_DAYS,
                )
                for k, month in enumerate(PROVINCE_SESSIONS[year], start=1)
            ]
            for member in _served(teams, year):
                county = member.team.county
                prefecture = county.prefecture
                if county.id not in county_events:
                    county_events[county.id] = events.add(
                        f"{county.label}{year}年驻村工作队员业务培训班",
                        level.COUNTY,
                        datetime.date(year, county_month, rng.randint(5, 20)),
                        COUNTY_DAYS,
                    )
                if prefecture.id not in prefecture_events:
                    prefecture_events[prefecture.id] = events.add(
                        f"{prefecture.short}{year}年驻村工作队员集中轮训班",
                        level.PREFECTURE,
                        datetime.date(year, prefecture_month, rng.randint(5, 20)),
                        PREFECTURE_DAYS,
                    )
                person = member.person.id
                records.add(county_events[county.id], person, COUNTY_DAYS)
                if year == 2022 and member.case == "TRAINING_DAYS_SHORT":
                    continue
                records.add(prefecture_events[prefecture.id], person, PREFECTURE_DAYS)
                if member.role == FIRST_SECRETARY and rng.random() < PROVINCE_SHARE:
                    records.add(rng.choice(province_events), person, PROVINCE_DAYS)

    def assessments(self, teams: list[Team], over_cap: County) -> None:
        """Annual grades: 优秀 within 20% of each county's members (but one county)."""
        rng = self.rng
        table = self.store.table(
            Assessment,
            "person_id membership_id kind year grade villager_score cadre_score",
        )
        for year in CURRENT_YEARS:
            year_end = min(datetime.date(year, 12, 31), AS_OF)
            by_county: dict[int, list[Member]] = defaultdict(list)
            for member in _served(teams, year):
                by_county[member.team.county.id].append(member)
            excellent: set[int] = set()
            for county_id, members in by_county.items():
                others = [m for m in members if m.role != FIRST_SECRETARY]
                at_end = [m for m in others if m.active_in(year_end, year_end)]
                quota = math.floor(EXCELLENT_SHARE * len(at_end))
                plain = [m for m in others if m.case is None]
                if year == 2022 and county_id == over_cap.id:
                    quota = math.floor(0.2 * len(others)) + 2
                quota = min(quota, len(plain))
                excellent.update(m.id for m in rng.sample(plain, quota))
                if year == 2022 and county_id == over_cap.id:
                    self.cases.note(
                        "EXCELLENT_OVER_CAP",
                        f"县 {over_cap.label}（{over_cap.code}）：2022年{len(others)}名"
                        f"队员（不含第一书记）中{quota}名优秀",
                    )
                firsts = [m for m in members if m.role == FIRST_SECRETARY]
                excellent.update(m.id for m in firsts if rng.random() < 0.2)
            for member in _served(teams, year):
                grade = Grade.EXCELLENT if member.id in excellent else Grade.COMPETENT
                low, high = (9000, 9900) if grade == Grade.EXCELLENT else (7500, 9400)
                if year == 2022 and member.case == "ASSESSMENT_MISSING":
                    continue
                if year == 2022 and member.case == "UNIT_BARRED_FOR_UNFIT":
                    grade, low, high = Grade.INCOMPETENT, 5000, 6500
                table.add(
                    member.person.id,
                    member.id,
                    Assessment.Kind.ANNUAL,
                    year,
                    grade,
                    SCORES[rng.randint(low, high)],
                    SCORES[rng.randint(low, high)],
                )

    def target_letters(self, teams: list[Team]) -> None:
        """Each year's 目标责任书, signed by the end of Q1 (2021: on arrival)."""
        rng = self.rng
        letters = self.store.table(TargetLetter, "team_id year signed_on")
        items = self.store.table(
            TargetItem, "letter_id content responsible_id status evidence"
        )
        status = TargetItem.Status
        for team in teams:
            for year in CURRENT_YEARS:
                if year == 2022 and team.case == "NO_TARGET_LETTER":
                    self.cases.note(team.case, team_label(team))
                    continue
                if year == 2021:
                    signed = team.start + days(rng.randint(9, 28))
                else:
                    signed = datetime.date(2022, 1, 5) + days(rng.randint(0, 80))
                members = [m for m in team.members if m.active_in(signed, signed)]
                members = members or team.members
                letter = letters.add(team.id, year, signed)
                for content in rng.sample(TARGET_ITEMS, rng.randint(3, 5)):
                    if year == 2021:
                        state = rng.choices((status.DONE, status.IN_PROGRESS), (85, 15))
                    else:
                        state = rng.choices(
                            (status.DONE, status.IN_PROGRESS, status.PLANNED),
                            (60, 35, 5),
                        )
                    items.add(
                        letter,
                        content.format(n=rng.randint(2, 12)),
                        rng.choice(members).id,
                        state[0],
                        rng.choice(EVIDENCE) if state[0] == status.DONE else "",
                    )
