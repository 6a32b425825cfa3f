"""What the generator keeps in memory between stages (ids are the rows' real ids)."""

import datetime
from dataclasses import dataclass, field


@dataclass(slots=True, eq=False)
class County:
    id: int
    code: str
    name: str
    label: str  # unique in the province: 市中区 gets its prefecture's name
    path: str
    prefecture: "Prefecture"
    deep_poverty: bool
    poor: bool
    ethnic_area: str
    hardship_class: int
    townships: list["Township"] = field(default_factory=list)
    villages: list["Village"] = field(default_factory=list)
    units: list["Unit"] = field(default_factory=list)

    @property
    def is_liangshan(self) -> bool:
        return self.code.startswith("5134")


@dataclass(slots=True, eq=False)
class Prefecture:
    id: int
    code: str
    name: str
    short: str  # 凉山州, 成都市: the name used in unit and event names
    counties: list[County] = field(default_factory=list)
    units: list["Unit"] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Township:
    id: int
    code: str
    name: str
    county: County


@dataclass(slots=True, eq=False)
class Village:
    id: int
    code: str
    name: str
    township: Township
    county: County
    is_extremely_poor: bool = False
    drug_aids: bool = False
    over_birth_dropout: bool = False
    planned_exit_year: int | None = None
    actual_exit_year: int | None = None
    county_leader: str = ""
    # (household id, is_priority) of each household, in id order.
    households: list[tuple[int, bool]] = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Unit:
    id: int
    name: str
    level: str
    unit_type: str
    sector: str  # Membership.Sector of the people it sends
    county: County | None  # the county a county-level (or township) unit sits in
    prefecture: Prefecture | None
    region_id: int
    staff_count: int = 0
    work_committee_id: int | None = None
    fixed_point_county: County | None = None
    deep_poverty_link_county: County | None = None
    principal_head: str = ""
    target: int = 0  # members to send this term
    sent: int = 0  # members sent in the current term


@dataclass(slots=True, eq=False)
class Team:
    id: int
    village: Village
    term_id: int
    start: datetime.date
    end: datetime.date | None
    case: str | None = None  # the deliberate case the team plays (current term)
    members: list["Member"] = field(default_factory=list)

    @property
    def county(self) -> County:
        return self.village.county


@dataclass(slots=True, eq=False)
class Person:
    id: int
    name: str
    is_party_member: bool
    rank: str
    unit: Unit


@dataclass(slots=True, eq=False)
class Member:
    """One membership: a slot on a team, its unit and, once staffed, its person."""

    id: int
    team: Team
    index: int  # 0 = first secretary's slot
    role: str
    is_leader: bool
    start: datetime.date
    end: datetime.date | None
    unit: Unit | None = None
    person: Person | None = None
    extra: bool = False  # a Liangshan member beyond the third
    case: str | None = None  # the member-level deliberate case it carries
    replaced_by: "Member | None" = None
    unfit_marked_on: datetime.date | None = None

    def active_in(self, first: datetime.date, last: datetime.date) -> bool:
        return self.start <= last and (self.end is None or self.end >= first)


def village_label(village: Village) -> str:
    """昭觉县解放乡火普村（513431200201）: how the command names a village."""
    return (
        f"{village.county.label}{village.township.name}{village.name}（{village.code}）"
    )


def team_label(team: Team) -> str:
    return f"{village_label(team.village)}工作队"
