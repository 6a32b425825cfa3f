"""The demo's deliberate breaches: one or more recognisable objects for every rule.

Every rule code of ``rules.md`` maps to a short description of the data written to
break it. The generators ask the ``CaseBook`` which village, team, member, unit or
county plays each case, and record a label of the object they bent, which the
command prints.
"""

import random
from collections import defaultdict

from django.utils.translation import gettext_lazy as _

DELIBERATE_CASES = {
    "VILLAGE_WITHOUT_TEAM": _("一个建档立卡贫困村在2021期没有派驻工作队"),
    "VILLAGE_MULTIPLE_TEAMS": _(
        "一个村的2018期工作队撤离日期被延长到2023-05-31，与2021期工作队同时在驻"
        "（延长的旧队已无队员）"
    ),
    "EXITED_VILLAGE_TEAM_WITHDRAWN": _(
        "一个2018年已退出的村，其2018期工作队于2019-06-30提前撤离（早于攻坚期末）"
    ),
    "TEAM_TOO_SMALL": _("非凉山州的一个工作队只有2名队员（含第一书记）"),
    "LIANGSHAN_TEAM_SIZE": _(
        "凉山州一个工作队只有3人，另一个有8人（8人队直接批量写入，服务层会拒绝）"
    ),
    "NO_FIRST_SECRETARY": _("一个工作队没有第一书记（由另派的队长带队）"),
    "LEADER_NOT_QUALIFIED": _(
        "一个工作队的队长不是第一书记，且职级为“其他”（不是处科级干部或后备干部）"
    ),
    "MEMBER_NOT_ON_STAFF": _("一名队员不是在编在岗干部"),
    "TERM_NOT_TWO_YEARS": _("一个2021期工作队没有撤离日期（队员任职也未设结束时间）"),
    "PARTY_RELATION_NOT_TRANSFERRED": _("一名党员队员的组织关系未转接到村"),
    "UNIT_QUOTA_SHORT": _("一个在编在岗100人以上的省直单位只选派了1人（应不少于4人）"),
    "GRASSROOTS_CANDIDATES_NOT_SENT": _(
        "几名选调生、后备干部、递进培养计划学员和无基层经历的中层干部未被选派"
    ),
    "PAIRING_QUOTA_SHORT": _(
        "一组对口帮扶关系中，帮扶县选派到受援县的人数不足受援县贫困村数的30%"
    ),
    "DEEP_POVERTY_LINK_UNSENT": _(
        "一个2017年新增联系深度贫困县的单位没有向该县选派任何人（人员派往别县）"
    ),
    "LATE_EXIT_VILLAGE_COMPOSITION": _(
        "一个2019年退出的村，工作队多数队员来自乡镇人民政府（县级以下单位）"
    ),
    "LIANGSHAN_EXTRA_SECTOR": _(
        "凉山州一个6人工作队，第四名起的增配队员都不来自教育、公安、司法、农业、"
        "林业、卫生计生系统"
    ),
    "NOT_IN_POST_BY_DEADLINE": _(
        "一个工作队到2021-06-30到岗期限时只有第一书记在岗，另两名队员2021-08-16才到岗"
    ),
    "APPOINTMENT_INCOMPLETE": _("一名在岗队员没有机关工委审核日期"),
    "UNFIT_NOT_REPLACED": _(
        "一名队员2022-08-15被认定不适应，召回调整期限2022-10-15已过仍未替换"
    ),
    "NOT_FILED": _("一名在岗队员没有备案日期"),
    "HOUSEHOLDS_NOT_ALL_VISITED": _(
        "一个工作队2022年第四季度约三分之一的普通农户未走访（必访户都已走访）"
    ),
    "PRIORITY_HOUSEHOLD_NOT_VISITED": _("一个工作队2022年第四季度漏访了一户必访户"),
    "NO_TARGET_LETTER": _("一个工作队没有2022年目标责任书"),
    "NO_QUARTERLY_LEADER_MEETING": _("一个县2022年第三、四季度没有召开队长会议"),
    "ATTENDANCE_NOT_RECORDED": _("一名队员缺2022年11月的考勤记录"),
    "NO_QUARTERLY_REPORT": _("一个工作队缺2022年第三、四季度的季度工作报告"),
    "TRAINING_DAYS_SHORT": _("一名队员2022年只参加了3天培训（应不少于5天）"),
    "EXCELLENT_OVER_CAP": _(
        "一个县2022年度评为优秀的队员（不含第一书记）超过该县队员的20%"
    ),
    "ASSESSMENT_MISSING": _("一名2022年在岗的队员没有2022年度考核等次"),
    "UNIT_BARRED_FOR_UNFIT": _(
        "一名队员2022年度考核为不称职，其派出单位及主要负责人当年不得评优"
    ),
    "UNIT_BARRED_FOR_VILLAGE": _(
        "一个计划2020年退出的村至今未退出，其帮扶单位当年不得评优"
    ),
    "NO_COUNTY_LEADER_LINK": _("一个贫困村没有联系的县级领导"),
    "FUNDING_SHORT": _("一个工作队2022年工作经费只有15000元"),
    "FUNDING_WRONG_SOURCE": _(
        "艰苦边远三类以上民族地区贫困县的一个工作队，2022年经费由县级财政安排"
        "（应由省级财政安排）"
    ),
    "NO_ACCIDENT_INSURANCE": _("一名在岗队员没有人身意外伤害保险"),
}

# Cases played by a village (and its team), and which villages may play them.
VILLAGE_CASES = {
    "VILLAGE_WITHOUT_TEAM": "no_quota",
    "VILLAGE_MULTIPLE_TEAMS": "plain",
    "EXITED_VILLAGE_TEAM_WITHDRAWN": "plain",
    "TEAM_TOO_SMALL": "plain",
    "NO_FIRST_SECRETARY": "plain",
    "LEADER_NOT_QUALIFIED": "plain",
    "MEMBER_NOT_ON_STAFF": "plain",
    "TERM_NOT_TWO_YEARS": "plain",
    "PARTY_RELATION_NOT_TRANSFERRED": "plain",
    "LATE_EXIT_VILLAGE_COMPOSITION": "no_quota",
    "NOT_IN_POST_BY_DEADLINE": "plain",
    "APPOINTMENT_INCOMPLETE": "plain",
    "UNFIT_NOT_REPLACED": "plain",
    "NOT_FILED": "plain",
    "HOUSEHOLDS_NOT_ALL_VISITED": "plain",
    "PRIORITY_HOUSEHOLD_NOT_VISITED": "plain",
    "NO_TARGET_LETTER": "plain",
    "ATTENDANCE_NOT_RECORDED": "plain",
    "NO_QUARTERLY_REPORT": "plain",
    "TRAINING_DAYS_SHORT": "plain",
    "ASSESSMENT_MISSING": "plain",
    "UNIT_BARRED_FOR_UNFIT": "plain",
    "UNIT_BARRED_FOR_VILLAGE": "plain",
    "NO_COUNTY_LEADER_LINK": "plain",
    "FUNDING_SHORT": "plain",
    "NO_ACCIDENT_INSURANCE": "plain",
    "FUNDING_WRONG_SOURCE": "provincial_funding",
    "LIANGSHAN_TEAM_SIZE": "liangshan",
    "LIANGSHAN_EXTRA_SECTOR": "liangshan",
}
# The Liangshan size case needs two teams: one of 3 and one of 8.
LIANGSHAN_SMALL, LIANGSHAN_LARGE = "LIANGSHAN_TEAM_SIZE", "LIANGSHAN_TEAM_SIZE+8"

# Which member of a case team (0 = first secretary) carries a member-level case.
MEMBER_SLOT = {
    "MEMBER_NOT_ON_STAFF": 2,
    "PARTY_RELATION_NOT_TRANSFERRED": 1,
    "APPOINTMENT_INCOMPLETE": 2,
    "UNFIT_NOT_REPLACED": 2,
    "NOT_FILED": 1,
    "ATTENDANCE_NOT_RECORDED": 1,
    "TRAINING_DAYS_SHORT": 2,
    "ASSESSMENT_MISSING": 1,
    "UNIT_BARRED_FOR_UNFIT": 2,
    "NO_ACCIDENT_INSURANCE": 2,
}
# The smallest province that leaves room for every case.
MIN_VILLAGES = 100


class CaseBook:
    """Which objects play which deliberate case, and the labels to print."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.by_village: dict[int, str] = {}
        self.villages: dict[str, object] = {}
        self.counties: dict[str, object] = {}
        self.labels: dict[str, list[str]] = defaultdict(list)

    def cast_villages(self, villages: list, provincial_funding) -> None:
        """Choose a distinct village for every village-level case."""
        roles = {
            "plain": lambda v: not v.county.is_liangshan,
            # Outside deep poverty, where no link unit or pairing needs the team's
            # slots (the team is missing, or filled from townships).
            "no_quota": lambda v: (
                not v.county.is_liangshan and not v.county.deep_poverty
            ),
            "liangshan": lambda v: v.county.is_liangshan,
            "provincial_funding": lambda v: provincial_funding(v.county),
        }
        wanted = [(code, kind) for code, kind in VILLAGE_CASES.items()]
        wanted.append((LIANGSHAN_LARGE, "liangshan"))
        for code, kind in wanted:
            fits = roles[kind]
            pool = [v for v in villages if v.id not in self.by_village and fits(v)]
            if not pool:
                raise RuntimeError(f"no village can play {code}")
            village = self.rng.choice(pool)
            self.by_village[village.id] = code
            self.villages[code] = village

    def cast_county(self, code: str, counties: list) -> object:
        taken = {c.id for c in self.counties.values()}
        pool = [c for c in counties if c.id not in taken]
        county = self.rng.choice(pool)
        self.counties[code] = county
        return county

    def of_village(self, village) -> str | None:
        return self.by_village.get(village.id)

    def note(self, code: str, label: str) -> None:
        self.labels[code.split("+")[0]].append(label)
