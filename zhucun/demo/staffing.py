"""Teams, people and memberships of both terms, and which unit sends whom where."""

import datetime
import random
from collections import defaultdict

from teams.models import Membership, Person, Team
from zhucun.id_numbers import check_digit

from . import names
from .cases import LIANGSHAN_LARGE, LIANGSHAN_SMALL, MEMBER_SLOT, CaseBook
from .dates import REPLACEMENT_END, REPLACEMENT_START, TERM_2021, TermSpec
from .plan import County, Member, Unit, Village, village_label
from .plan import Person as PersonPlan
from .plan import Team as TeamPlan
from .store import Store
from .units import PREFECTURE_SHARE, PROVINCIAL_LEVELS, UnitPlanner

R, P, Role = Person.Rank, Person.PoliticalStatus, Membership.Role
days = datetime.timedelta

FIXED_SIZE = {
    "TEAM_TOO_SMALL": 2,
    LIANGSHAN_SMALL: 3,
    LIANGSHAN_LARGE: 8,
    "NO_FIRST_SECRETARY": 3,
    "LEADER_NOT_QUALIFIED": 4,
    "LIANGSHAN_EXTRA_SECTOR": 6,
    "NOT_IN_POST_BY_DEADLINE": 3,
    "LATE_EXIT_VILLAGE_COMPOSITION": 4,
}
LATE_ARRIVAL = datetime.date(2021, 8, 16)
UNFIT_MARKED = datetime.date(2022, 8, 15)
UNFIT_DEADLINE = datetime.date(2022, 10, 15)
REUSE_SHARE = 0.3  # 2018-term members kept on for the 2021 term (接续帮扶)
REPLACED_SHARE = 0.012
# The 应派尽派 marks (二(一)), in the order of the person table's columns.
FLAG_COLUMNS = (
    "is_midlevel_without_grassroots",
    "is_progressive_trainee",
    "is_reserve_cadre",
    "is_selected_graduate",
)

# Rank weights by the slot's role; a separate 队长 is always a qualified cadre.
RANKS = {
    "first_secretary": {
        R.DIVISION: 12,
        R.SECTION: 48,
        R.DIVISION_RESERVE: 5,
        R.SECTION_RESERVE: 20,
        R.OTHER: 15,
    },
    "leader": {
        R.DIVISION: 15,
        R.SECTION: 55,
        R.DIVISION_RESERVE: 5,
        R.SECTION_RESERVE: 25,
    },
    "member": {
        R.DIVISION: 3,
        R.SECTION: 25,
        R.DIVISION_RESERVE: 2,
        R.SECTION_RESERVE: 12,
        R.OTHER: 58,
    },
}
POLITICS = (
    (P.CPC, P.CPC_PROBATIONARY, P.CYL, P.MASSES, P.DEMOCRATIC_PARTY),
    (62, 4, 10, 22, 2),
)
POSTS = {
    R.DIVISION: ("处长", "副处长", "二级调研员"),
    R.SECTION: ("科长", "副科长", "一级主任科员", "二级主任科员"),
    R.DIVISION_RESERVE: ("科长", "一级主任科员"),
    R.SECTION_RESERVE: ("副科长", "科员", "三级主任科员"),
    "hospital": ("医师", "主治医师", "护师"),
    "university": ("讲师", "辅导员", "教师"),
    "institution": ("专业技术人员", "干事", "教师"),
    "soe": ("职员", "技术员", "部门副经理"),
    "financial": ("客户经理", "职员", "柜员"),
    "party_gov": ("科员", "干事", "四级主任科员"),
}


def team_size(village: Village, rng: random.Random) -> int:
    """3–5 members (mean 4.1); in Liangshan 4–7, most in the hardest villages."""
    if village.county.is_liangshan:
        if village.is_extremely_poor or village.drug_aids or village.over_birth_dropout:
            return rng.choices((5, 6, 7), (30, 40, 30))[0]
        return rng.choices((4, 5, 6), (40, 40, 20))[0]
    return rng.choices((3, 4, 5), (25, 42, 33))[0]


class Staffing:
    """Builds the teams of a term, fills their slots with units, then with people."""

    def __init__(
        self,
        store: Store,
        rng: random.Random,
        cases: CaseBook,
        units: UnitPlanner,
        counties: list[County],
    ):
        self.store = store
        self.rng = rng
        self.cases = cases
        self.units = units
        self.counties = counties
        self.namer = names.Namer(rng)
        self.team_table = store.table(
            Team, "village_id term_id name start_date end_date in_post_deadline"
        )
        self.person_table = store.table(
            Person,
            "id_number name gender birth_date ethnicity political_status unit_id "
            "current_post rank on_staff phone " + " ".join(FLAG_COLUMNS),
        )
        self.member_table = store.table(
            Membership,
            "person_id team_id role is_leader unit_id sector start_date end_date "
            "proposed_on reviewed_on appointed_on filed_on "
            "party_relation_transferred_on insured_until unfit_marked_on "
            "replacement_deadline replaced_by_id",
        )
        self.id_numbers: set[str] = set()
        self._deep = [c for c in counties if c.deep_poverty and c.villages]
        self._deep_weights = [len(c.villages) for c in self._deep]
        self.chengdu = [c for c in counties if c.code.startswith("5101")]
        # 2018-term people not yet taken back, by unit.
        self.pool: dict[int, list[PersonPlan]] = defaultdict(list)

    # --- teams and their slots --------------------------------------------
    def plan_teams(
        self, villages: list[Village], term: TermSpec, term_id: int
    ) -> list[TeamPlan]:
        rng = self.rng
        current = term is TERM_2021
        teams = []
        for village in villages:
            case = self.cases.of_village(village)
            if current and case == "VILLAGE_WITHOUT_TEAM":
                self.cases.note(case, village_label(village))
                continue
            start, end = term.start, term.end
            if not current and case == "EXITED_VILLAGE_TEAM_WITHDRAWN":
                end = datetime.date(2019, 6, 30)
                self.cases.note(case, village_label(village) + "（2018年退出）")
            member_end = end
            if not current and case == "VILLAGE_MULTIPLE_TEAMS":
                end = TERM_2021.end
                self.cases.note(case, village_label(village))
            if current and case == "TERM_NOT_TWO_YEARS":
                end = member_end = None
            team = TeamPlan(self.team_table.reserve(), village, term_id, start, end)
            team.case = case if current else None
            self.team_table.put(
                team.id,
                village.id,
                term_id,
                f"{village.name}驻村工作队",
                start,
                end,
                term.in_post_deadline,
            )
            size = FIXED_SIZE.get(case) if current else None
            size = size or team_size(village, rng)
            separate_leader = rng.random() < 0.3
            no_secretary = current and case == "NO_FIRST_SECRETARY"
            if current and case == "LEADER_NOT_QUALIFIED":
                separate_leader = True
            for index in range(size):
                if index == 0 and no_secretary:
                    role, leads = Role.LEADER, True
                elif index == 0:
                    role, leads = Role.FIRST_SECRETARY, not separate_leader
                elif index == 1 and separate_leader and not no_secretary:
                    role, leads = Role.LEADER, True
                else:
                    role, leads = Role.MEMBER, False
                member = Member(
                    id=self.member_table.reserve(),
                    team=team,
                    index=index,
                    role=role,
                    is_leader=leads,
                    start=start,
                    end=member_end,
                    extra=village.county.is_liangshan and index >= 3,
                )
                if current and case in MEMBER_SLOT and MEMBER_SLOT[case] == index:
                    member.case = case
                if current and case == "NOT_IN_POST_BY_DEADLINE" and index > 0:
                    member.start = LATE_ARRIVAL
                team.members.append(member)
            if current and case in (
                "TEAM_TOO_SMALL",
                "NO_FIRST_SECRETARY",
                "LEADER_NOT_QUALIFIED",
                "TERM_NOT_TWO_YEARS",
                "NOT_IN_POST_BY_DEADLINE",
                "LIANGSHAN_EXTRA_SECTOR",
                LIANGSHAN_SMALL,
                LIANGSHAN_LARGE,
            ):
                self.cases.note(case, f"{village_label(village)}工作队（{size}人）")
            teams.append(team)
        return teams

    # --- which unit fills which slot -------------------------------------
    def allocate(self, teams: list[TeamPlan], current: bool) -> None:
        """Fill slots with units, the most constrained placements first.

        Each 2017 link unit's first member goes to its linked county, then the
        pairings fill their assisted counties, then provincial units send the rest
        of their quotas (anywhere, if their counties are full), then local units.
        """
        for team in teams:
            if team.case == "LATE_EXIT_VILLAGE_COMPOSITION":
                self._township_majority(team)
        slots = _OpenSlots(teams, self.rng)
        provincial = [u for u in self.units.units if u.level in PROVINCIAL_LEVELS]
        remaining = {u.id: self._provincial_count(u, current) for u in provincial}
        for unit in provincial:
            link = unit.deep_poverty_link_county
            if link is None or (current and unit is self.units.link_unsent):
                continue
            slot = slots.take([link], first=True)
            if slot is not None:
                self._assign(slot, unit, current)
                remaining[unit.id] -= 1
        self._place_pairings(slots, current)
        for unit in provincial:
            self._place_provincial(slots, unit, remaining[unit.id], current)
        self._place_local(teams, current)

    def _provincial_count(self, unit: Unit, current: bool) -> int:
        if current:
            return unit.target
        return max(1, unit.target - self.rng.choice((0, 1)))

    def _place_provincial(
        self, slots: "_OpenSlots", unit: Unit, count: int, current: bool
    ) -> None:
        """Send a provincial unit's members, mostly to its fixed-point county.

        The deliberately unsent link unit keeps away from its linked county.
        """
        rng = self.rng
        deep = self._deep
        avoid = None
        if current and unit is self.units.link_unsent:
            avoid = unit.deep_poverty_link_county
        for n in range(count):
            if unit.fixed_point_county and rng.random() < 0.7:
                county = unit.fixed_point_county
            else:
                county = rng.choices(deep, self._deep_weights)[0]
            if county is avoid:
                county = next(c for c in deep if c is not avoid)
            fallback = [c for c in deep + self.counties if c is not avoid]
            slot = slots.take([county, *fallback], first=n == 0)
            if slot is not None:
                self._assign(slot, unit, current)

    def _place_pairings(self, slots: "_OpenSlots", current: bool) -> None:
        """Assisting counties' units send their share into the assisted county."""
        for helper, helped, need in self.units.pairings:
            for _ in range(need):
                slot = slots.take([helped], first=False, extra=True)
                if slot is None:
                    break
                units = helper.units
                if slot.extra:
                    units = [u for u in units if u.sector in _LIANGSHAN_SECTORS]
                self._assign(slot, self.rng.choice(units), current)

    def _place_local(self, teams: list[TeamPlan], current: bool) -> None:
        """The rest: the county's own units, some from the prefecture's.

        Liangshan's extra members come from the listed sectors (but in one team).
        """
        rng = self.rng
        for team in teams:
            county = team.county
            listed = [u for u in county.units if u.sector in _LIANGSHAN_SECTORS]
            if team.case == "LIANGSHAN_EXTRA_SECTOR":
                listed = [u for u in county.units if u.sector not in _LIANGSHAN_SECTORS]
            for m in team.members:
                if m.unit is not None:
                    continue
                if m.extra:
                    unit = rng.choice(listed)
                elif rng.random() < PREFECTURE_SHARE:
                    unit = rng.choice(county.prefecture.units)
                else:
                    unit = rng.choice(county.units)
                self._assign(m, unit, current)

    def _assign(self, member: Member, unit: Unit, current: bool) -> None:
        member.unit = unit
        if current:
            unit.sent += 1

    def _township_majority(self, team: TeamPlan) -> None:
        """Three of four members from township governments: below county level."""
        township_units = self.units.township_units(team.county, 3)
        for member, unit in zip(team.members[1:], township_units, strict=False):
            self._assign(member, unit, True)
        self.cases.note(
            "LATE_EXIT_VILLAGE_COMPOSITION",
            f"{village_label(team.village)}（2019年退出，4名队员中3名来自乡镇）",
        )

    # --- people ------------------------------------------------------------
    def staff(self, teams: list[TeamPlan], term: TermSpec) -> None:
        """Give every slot a person (some 2018 members return), then write them."""
        rng = self.rng
        current = term is TERM_2021
        for team in teams:
            plain = team.case is None
            # Liangshan keeps its teams whole, so that "members beyond the third"
            # means the same in any order (successors would start later).
            replaceable = current and plain and not team.county.is_liangshan
            for member in list(team.members):
                person = None
                if current and plain and rng.random() < REUSE_SHARE:
                    person = self._reuse(member)
                replaced = replaceable and rng.random() < REPLACED_SHARE
                # A member who leaves has served: no longer a cadre to be sent (应派尽派).
                flagged = current and not replaced
                member.person = person or self._person_for(member, flagged)
                if not current:
                    self.pool[member.unit.id].append(member.person)
                if replaced:
                    self._replace(member)
            for member in team.members:
                self._write_member(member, term)
                if member.case:
                    self.cases.note(member.case, _member_label(member))

    def _reuse(self, member: Member) -> PersonPlan | None:
        pool = self.pool.get(member.unit.id)
        if not pool:
            return None
        for i in range(len(pool) - 1, max(-1, len(pool) - 6), -1):
            person = pool[i]
            if member.role == Role.FIRST_SECRETARY and not person.is_party_member:
                continue
            if member.role == Role.LEADER and person.rank not in _QUALIFIED:
                continue
            return pool.pop(i)
        return None

    def _replace(self, member: Member) -> None:
        """The unit replaces a member at the end of 2021 (some were marked unfit)."""
        successor = Member(
            id=self.member_table.reserve(),
            team=member.team,
            index=member.index,
            role=member.role,
            is_leader=member.is_leader,
            start=REPLACEMENT_START,
            end=member.end,
            unit=member.unit,
        )
        successor.person = self._person_for(successor, True)
        member.end = REPLACEMENT_END
        member.replaced_by = successor
        if self.rng.random() < 0.4:
            member.unfit_marked_on = datetime.date(2021, 10, self.rng.randint(8, 28))
        member.team.members.append(successor)

    def _home_county(self, unit: Unit) -> County:
        if unit.county is not None:
            return unit.county
        if unit.prefecture is not None:
            return self.rng.choice(unit.prefecture.counties)
        if self.rng.random() < 0.5:
            return self.rng.choice(self.chengdu)
        return self.rng.choice(self.counties)

    def _id_number(self, area: str, birth: datetime.date, male: bool) -> str:
        rng = self.rng
        while True:
            body = f"{area}{birth:%Y%m%d}{rng.randrange(100):02d}"
            body += str(rng.randrange(5) * 2 + (1 if male else 0))
            number = body + check_digit(body)
            if number not in self.id_numbers:
                self.id_numbers.add(number)
                return number

    def _person_for(self, member: Member, flagged: bool) -> PersonPlan:
        """A new person fit for the slot (a first secretary is a party member, …)."""
        rng = self.rng
        if member.role == Role.FIRST_SECRETARY:
            kind = "first_secretary"
        elif member.role == Role.LEADER:
            kind = "leader"
        else:
            kind = "member"
        ranks = RANKS[kind]
        rank = rng.choices(list(ranks), list(ranks.values()))[0]
        if member.role == Role.LEADER and member.team.case == "LEADER_NOT_QUALIFIED":
            rank = R.OTHER
        party = kind != "member" or member.case == "PARTY_RELATION_NOT_TRANSFERRED"
        return self._new_person(
            member.unit,
            kind,
            rank=rank,
            party=party,
            on_staff=member.case != "MEMBER_NOT_ON_STAFF",
            flagged=flagged,
        )

    def _new_person(
        self,
        unit: Unit,
        kind: str,
        *,
        rank: str,
        party: bool,
        on_staff: bool = True,
        flagged: bool = False,
        flag: str | None = None,
    ) -> PersonPlan:
        """Write a person; ``flagged`` draws the 应派尽派 marks, ``flag`` forces one."""
        rng = self.rng
        male_share, years = {
            "first_secretary": (0.85, (1968, 1990)),
            "leader": (0.8, (1968, 1988)),
            "member": (0.7, (1965, 1995)),
        }[kind]
        if party:
            status = P.CPC if rng.random() < 0.95 else P.CPC_PROBATIONARY
        else:
            status = rng.choices(*POLITICS)[0]
        male = rng.random() < male_share
        birth = datetime.date(rng.randint(*years), 1, 1) + days(rng.randrange(365))
        home = self._home_county(unit)
        ethnicity, culture = self._ethnicity(home)
        flags = [False, False, False, False]
        if flagged:
            flags = [
                rank in (R.SECTION, R.DIVISION) and rng.random() < 0.1,
                rng.random() < 0.03,
                rank in (R.SECTION_RESERVE, R.DIVISION_RESERVE),
                birth.year >= 1990 and rng.random() < 0.2,
            ]
        if flag is not None:
            flags = [name == flag for name in FLAG_COLUMNS]
        person = PersonPlan(
            id=self.person_table.reserve(),
            name=self.namer.person(culture, "M" if male else "F"),
            is_party_member=status in Person.PARTY_STATUSES,
            rank=rank,
            unit=unit,
        )
        self.person_table.put(
            person.id,
            self._id_number(home.code, birth, male),
            person.name,
            "M" if male else "F",
            birth,
            ethnicity,
            status,
            unit.id,
            rng.choice(POSTS.get(rank) or POSTS[unit.unit_type]),
            rank,
            on_staff,
            self.namer.phone(),
            *flags,
        )
        return person

    def _ethnicity(self, county: County) -> tuple[str, str]:
        culture = names.culture_of(county.code)
        roll = self.rng.random()
        if culture == "yi" and roll < 0.45:
            return "彝族", "yi"
        if culture == "tibetan" and roll < 0.45:
            return "藏族", "tibetan"
        if culture == "tibetan" and county.code.startswith("5132") and roll < 0.55:
            return "羌族", "han"
        return ("回族" if roll > 0.995 else "汉族"), "han"

    def _write_member(self, m: Member, term: TermSpec) -> None:
        rng = self.rng
        proposed = m.start - days(rng.randint(25, 45))
        reviewed = proposed + days(rng.randint(3, 8))
        appointed = reviewed + days(rng.randint(3, 8))
        filed = appointed + days(rng.randint(1, 15))
        transferred = None
        if m.person.is_party_member:
            transferred = m.start + days(rng.randint(3, 30))
        insured = term.end
        unfit, deadline = m.unfit_marked_on, None
        if unfit:
            deadline = datetime.date(2022, 1, 15)
        if m.case == "APPOINTMENT_INCOMPLETE":
            reviewed = None
        elif m.case == "NOT_FILED":
            filed = None
        elif m.case == "PARTY_RELATION_NOT_TRANSFERRED":
            transferred = None
        elif m.case == "NO_ACCIDENT_INSURANCE":
            insured = None
        elif m.case == "UNFIT_NOT_REPLACED":
            unfit, deadline = UNFIT_MARKED, UNFIT_DEADLINE
        self.member_table.put(
            m.id,
            m.person.id,
            m.team.id,
            m.role,
            m.is_leader,
            m.unit.id,
            m.unit.sector,
            m.start,
            m.end,
            proposed,
            reviewed,
            appointed,
            filed,
            transferred,
            insured,
            unfit,
            deadline,
            m.replaced_by.id if m.replaced_by else None,
        )

    def unsent_candidates(self) -> None:
        """Cadres marked 应派尽派 whom their provincial units kept at home."""
        labels = {f.name: f.verbose_name for f in Person._meta.concrete_fields}
        pool = [u for u in self.units.units if u.level in PROVINCIAL_LEVELS]
        for flag in FLAG_COLUMNS:
            unit = self.rng.choice(pool)
            person = self._new_person(
                unit, "member", rank=R.SECTION_RESERVE, party=True, flag=flag
            )
            self.cases.note(
                "GRASSROOTS_CANDIDATES_NOT_SENT",
                f"干部 {person.name}（{unit.name}，{labels[flag]}）",
            )


_QUALIFIED = set(Person.QUALIFIED_LEADER_RANKS)
_LIANGSHAN_SECTORS = set(Membership.LIANGSHAN_SECTORS)


class _OpenSlots:
    """Slots without a unit yet, by county, in a shuffled order."""

    def __init__(self, teams: list[TeamPlan], rng: random.Random):
        self.firsts: dict[int, list[Member]] = defaultdict(list)
        self.others: dict[int, list[Member]] = defaultdict(list)
        self.extras: dict[int, list[Member]] = defaultdict(list)
        for team in teams:
            for m in team.members:
                if m.unit is not None:
                    continue
                if m.extra:
                    kind = self.extras
                elif m.role == Role.FIRST_SECRETARY:
                    kind = self.firsts
                else:
                    kind = self.others
                kind[team.county.id].append(m)
        for kind in (self.firsts, self.others, self.extras):
            for pool in kind.values():
                rng.shuffle(pool)

    def take(
        self, counties: list[County], *, first: bool, extra: bool = False
    ) -> Member | None:
        """An open slot in the first of ``counties`` that has one.

        ``first`` prefers a first secretary's slot; ``extra`` allows a Liangshan
        member beyond the third.
        """
        kinds = [self.firsts, self.others] if first else [self.others, self.firsts]
        if extra:
            kinds.append(self.extras)
        for county in counties:
            for kind in kinds:
                pool = kind.get(county.id)
                while pool:
                    m = pool.pop()
                    if m.unit is None:
                        return m
        return None


def _member_label(member: Member) -> str:
    return (
        f"干部 {member.person.name}（{village_label(member.team.village)}，"
        f"{Role(member.role).label}，派出单位 {member.unit.name}）"
    )
