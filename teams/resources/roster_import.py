"""The 派出单位 (units) and 驻村工作队队员花名册 (roster) workbooks.

Roster import rules: a person is identified by 身份证号码 (GB 11643 check digit;
性别 and 出生年月, when given, must agree with it); the village must exist; the unit
must exist; the row places the person on the team of that village for the term
(期次) containing 驻村起始时间, and creates that team when the village has none for
the term. A person may not be in two villages at once, a team has one first
secretary at a time, a Liangshan team has at most
``Thresholds.liangshan_max_members`` members on every day, and the dates lie in
the team's term: the rules of ``teams.write_rules``, the same functions
``membership_create`` calls, judged over the workbook and the database together.
"""

import datetime
from collections import defaultdict

from django.utils.translation import gettext as _

from teams.models import Membership, Person, Team, Term, Unit
from teams.selectors import id_number_not_found
from teams.services import PERSON_FIELDS
from teams.write_rules import Proposal, TeamFacts, membership_refusals
from villages.places import PlaceLocator
from zhucun.audit import AuditBatch
from zhucun.workbooks.bulk import insert_dicts, insert_instances
from zhucun.workbooks.columns import (
    KEEP,
)
from zhucun.workbooks.importer import (
    Importer,
    Row,
    apply_changes,
    changed_fields,
    chunks,
)
from zhucun.workbooks.values import fold
from zhucun.write_rules import reject_rows


def _facts(number: str) -> tuple[datetime.date, str]:
    """Birth date and gender of an ID already validated by its widget."""
    birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return birth, "M" if int(number[16]) % 2 else "F"


_GENDER_LABEL = dict(Person.Gender.choices)
_MEMBERSHIP_AUDIT = ("person_id", "team_id", "role", "start_date", "end_date")
_PERSON_AUDIT = ("id_number", *PERSON_FIELDS)
# Person fields a roster row sets, and their values for a new person left blank.
_PERSON_DEFAULTS = {
    "ethnicity": "",
    "political_status": Person.PoliticalStatus.MASSES,
    "current_post": "",
    "rank": Person.Rank.OTHER,
    "on_staff": True,
    "phone": "",
}
# What the check reads of stored rows (the dicts become instances only to update).
_PERSON_COLUMNS = ("id", "id_number", *_PERSON_DEFAULTS, "name", "unit_id")
_TEAM_COLUMNS = ("id", "village_id", "term_id", "start_date", "end_date")
# The roster column of each field teams.write_rules speaks of.
_RULE_COLUMNS = {
    "person": "身份证号码",
    "role": "驻村职务",
    "team": "村",
    "start_date": "驻村起始时间",
    "end_date": "驻村结束时间",
}
_MEMBERSHIP_COLUMNS = (
    "id",
    "person_id",
    "team_id",
    "role",
    "is_leader",
    "unit_id",
    "start_date",
    "end_date",
)


class RosterImporter(PlaceLocator, Importer):
    """Place each row's person on a team; stored rows are read as plain values.

    A 50,000-row roster meets as many stored people and memberships on re-import;
    they are read with ``.values()`` (dicts), not model instances, and only the
    rows that change become instances (for ``bulk_update``).
    """

    permissions = (
        "teams.add_person",
        "teams.change_person",
        "teams.add_team",
        "teams.add_membership",
        "teams.change_membership",
    )

    def check(self, rows: list[Row], *, lock: bool) -> None:
        self.locate_villages(rows)
        self._check_cells(rows)
        ids = sorted({row.data["id_number"] for row in rows if row.ok})
        # Lock order as in teams.services: people first, then teams.
        people = self._values(Person, _PERSON_COLUMNS, "id_number", ids, lock)
        self.people = {p["id_number"]: p for p in people}
        self._refuse_people_outside_scope(rows)
        villages = sorted({row.place[2].pk for row in rows if row.ok})
        teams = self._values(Team, _TEAM_COLUMNS, "village_id", villages, lock)
        self.teams = {(t["village_id"], t["term_id"]): t for t in teams}
        stored = {
            m["id"]: m
            for m in self._values(
                Membership, _MEMBERSHIP_COLUMNS, "team_id", [t["id"] for t in teams]
            )
        }
        stored.update(
            (m["id"], m)
            for m in self._values(
                Membership,
                _MEMBERSHIP_COLUMNS,
                "person_id",
                [p["id"] for p in people],
            )
        )
        self.new_teams: dict[tuple[int, int], Team] = {}
        self.new_team_villages: dict[tuple[int, int], object] = {}
        self._match(rows, stored)
        reject_rows(membership_refusals(self._proposals(rows)), _RULE_COLUMNS)
        self._plan(rows)

    def _refuse_people_outside_scope(self, rows: list[Row]) -> None:
        """A stored person the user may not see gets the answer of an unknown number.

        Neither their placement nor their existence shows; such a cadre joins a
        team through the appointment chain, not a roster import.
        """
        visible = self.gate.visible(
            Person.objects.all(), [p["id"] for p in self.people.values()]
        )
        for row in rows:
            person = self.people.get(row.data["id_number"]) if row.ok else None
            if person is not None and person["id"] not in visible:
                row.reject("身份证号码", id_number_not_found(row.data["id_number"]))

    @staticmethod
    def _values(model, columns, field, values, lock=False) -> list[dict]:
        queryset = model.objects.values(*columns)
        if lock:
            queryset = queryset.select_for_update().order_by("pk")
        found = []
        for chunk in chunks(values):
            found.extend(queryset.filter(**{f"{field}__in": chunk}))
        return found

    # --- one row at a time ----------------------------------------------------
    def _check_cells(self, rows: list[Row]) -> None:
        units = {fold(name): pk for pk, name in Unit.objects.values_list("id", "name")}
        terms = list(Term.objects.order_by("start_date"))
        for row in rows:
            if not row.ok:
                continue
            data = row.data
            birth, gender = _facts(data["id_number"])
            if row.given("gender") and data["gender"] != gender:
                row.reject(
                    "性别",
                    _("与身份证号码不符：身份证号码显示为%(gender)s。")
                    % {"gender": _GENDER_LABEL[gender]},
                )
            if row.given("birth"):
                given, has_day = data["birth"]
                same = (
                    given == birth
                    if has_day
                    else (given.year, given.month) == (birth.year, birth.month)
                )
                if not same:
                    row.reject(
                        "出生年月",
                        _("与身份证号码不符：身份证号码显示出生于%(date)s。")
                        % {"date": f"{birth:%Y年%m月%d日}"},
                    )
            unit = units.get(fold(data["unit"]))
            if unit is None:
                row.reject(
                    "派出单位",
                    _("没有名为“%(name)s”的派出单位，请先导入派出单位。")
                    % {"name": data["unit"]},
                )
            start, end = data["start_date"], data["end_date"]
            term = next((t for t in terms if t.start_date <= start <= t.end_date), None)
            if term is None:
                row.reject(
                    "驻村起始时间",
                    _("%(date)s不在任何驻村期次内（已有期次：%(terms)s）。")
                    % {
                        "date": start,
                        "terms": "、".join(
                            f"{t.name} {t.start_date}至{t.end_date}" for t in terms
                        )
                        or _("无"),
                    },
                )
            if row.ok:
                row.plan = {
                    "unit_id": unit,
                    "term": term,
                    "birth": birth,
                    "gender": gender,
                    "end": end,  # KEEP: as stored (None for a new membership)
                }

    # --- which stored membership each row is ----------------------------------------
    def _team(self, row: Row):
        """The row's team for its term: stored, or a new one (created on write)."""
        village, term = row.place[2], row.plan["term"]
        key = (village.pk, term.pk)
        team = self.teams.get(key)
        if team is not None:
            return key, team["id"]
        if key not in self.new_teams:
            self.new_team_villages[key] = village
            self.new_teams[key] = Team(
                village_id=village.pk,
                term_id=term.pk,
                name=f"{village.name}驻村工作队",
                start_date=term.start_date,
                end_date=term.end_date,
                in_post_deadline=term.in_post_deadline,
            )
        return key, None

    def _match(self, rows: list[Row], stored: dict[int, dict]) -> None:
        by_person_team = defaultdict(list)
        for m in stored.values():
            by_person_team[(m["person_id"], m["team_id"])].append(m)
        claimed: dict[int, Row] = {}
        for row in rows:
            if not row.ok:
                continue
            plan = row.plan
            plan["team_key"], team_id = self._team(row)
            person = self.people.get(row.data["id_number"])
            candidates = (
                by_person_team.get((person["id"], team_id), ())
                if person is not None and team_id is not None
                else ()
            )
            match = None
            if candidates:
                start = row.data["start_date"]
                same_start = [m for m in candidates if m["start_date"] == start]
                free = [m for m in candidates if m["id"] not in claimed]
                if same_start:
                    match = same_start[0]
                elif len(free) == 1:
                    match = free[0]
            if match is not None:
                earlier = claimed.setdefault(match["id"], row)
                if earlier is not row:
                    row.reject(
                        "身份证号码",
                        _("与%(where)s是同一段驻村任职，重复了。")
                        % {"where": earlier.where()},
                    )
                    continue
            plan["membership"] = match
            if plan["end"] is KEEP:
                plan["end"] = match["end_date"] if match is not None else None

    def _proposals(self, rows: list[Row]) -> list[Proposal]:
        """Each sound row as the membership it will write, for teams.write_rules."""
        by_id = self.places.by_id
        proposals = []
        for row in rows:
            if not row.ok:
                continue
            plan, village = row.plan, row.place[2]
            key, term = plan["team_key"], plan["term"]
            team = self.teams.get(key)
            facts = TeamFacts(
                key=team["id"] if team else ("new", *key),
                village=village.name,
                county_code=by_id[village.county_id].code,
                start=team["start_date"] if team else term.start_date,
                end=team["end_date"] if team else term.end_date,
            )
            person = self.people.get(row.data["id_number"])
            membership = plan.get("membership")
            proposals.append(
                Proposal(
                    item=row,
                    person=person["id"] if person else ("new", row.data["id_number"]),
                    team=facts,
                    role=row.data["role"][0],
                    start=row.data["start_date"],
                    end=plan["end"],
                    replaces=membership["id"] if membership else None,
                    where=row.where(),
                )
            )
        return proposals

    # --- what changes -------------------------------------------------------------
    def _plan(self, rows: list[Row]) -> None:
        """Person values come from the person's latest row (the freshest facts)."""
        latest: dict[str, Row] = {}
        for row in rows:
            if row.ok:
                number = row.data["id_number"]
                other = latest.get(number)
                if other is None or row.data["start_date"] >= other.data["start_date"]:
                    latest[number] = row
        self.person_creates: dict[str, dict] = {}
        self.person_updates: list[tuple[dict, dict, str]] = []
        for number, row in latest.items():
            data, plan = row.data, row.plan
            values = {name: data[name] for name in _PERSON_DEFAULTS if row.given(name)}
            values["name"] = data["name"]
            person = self.people.get(number)
            if person is None:
                self.person_creates[number] = {
                    **_PERSON_DEFAULTS,
                    **values,
                    "id_number": number,
                    "birth_date": plan["birth"],
                    "gender": plan["gender"],
                    "unit_id": plan["unit_id"],
                }
                continue
            if person["unit_id"] is None:
                values["unit_id"] = plan["unit_id"]
            changes = changed_fields(person, values)
            if changes:
                county = self.places.by_id[row.place[2].county_id].code
                self.person_updates.append((person, changes, county))
                row.outcome = "updated"
        self.membership_creates: list[tuple[Row, dict]] = []
        self.membership_updates: list[tuple[Row, dict, dict]] = []
        for row in rows:
            if not row.ok:
                continue
            plan = row.plan
            role, is_leader = row.data["role"]
            values = {
                "role": role,
                "is_leader": is_leader,
                "unit_id": plan["unit_id"],
                "start_date": row.data["start_date"],
                "end_date": plan["end"],
            }
            membership = plan.get("membership")
            if membership is None:
                row.outcome = "created"
                self.membership_creates.append((row, values))
                continue
            changes = changed_fields(membership, values)
            if changes:
                self.membership_updates.append((row, membership, changes))
                row.outcome = "updated"
            elif not row.outcome:
                row.outcome = "unchanged"

    # --- writing ---------------------------------------------------------------
    def write(self, rows: list[Row], audit: AuditBatch) -> None:
        by_id = self.places.by_id
        teams = list(self.new_teams.values())
        insert_instances(teams)
        for key, team in self.new_teams.items():
            county = by_id[self.new_team_villages[key].county_id].code
            audit.created(team, ("village_id", "term_id"), county, team.name)
        team_ids = {key: t["id"] for key, t in self.teams.items()}
        team_ids.update((key, t.pk) for key, t in self.new_teams.items())
        numbers = list(self.person_creates)
        person_pks = dict(
            zip(
                numbers,
                insert_dicts(Person, [self.person_creates[n] for n in numbers]),
                strict=True,
            )
        )
        person_pks.update((n, p["id"]) for n, p in self.people.items())
        self._update(
            Person,
            [
                (person, changes, county, person["name"])
                for person, changes, county in self.person_updates
            ],
            audit,
        )
        # Updates first: a shortened membership must make room before a new one.
        self._update(
            Membership,
            [
                (
                    membership,
                    changes,
                    by_id[row.place[2].county_id].code,
                    f"{row.data['name']}（{row.place[2].name}）",
                )
                for row, membership, changes in self.membership_updates
            ],
            audit,
        )
        for row, values in self.membership_creates:
            values["person_id"] = person_pks[row.data["id_number"]]
            values["team_id"] = team_ids[row.plan["team_key"]]
        membership_pks = insert_dicts(
            Membership, [values for _row, values in self.membership_creates]
        )
        announced: set[str] = set()
        for (row, values), pk in zip(
            self.membership_creates, membership_pks, strict=True
        ):
            county = by_id[row.place[2].county_id].code
            number = row.data["id_number"]
            if number in self.person_creates and number not in announced:
                announced.add(number)
                person = self.person_creates[number]
                audit.created_values(
                    Person,
                    person_pks[number],
                    person,
                    _PERSON_AUDIT,
                    county,
                    person["name"],
                )
            audit.created_values(
                Membership,
                pk,
                values,
                _MEMBERSHIP_AUDIT,
                county,
                f"{row.data['name']}（{row.place[2].name}）",
            )
        result = self.result
        result.count_object(_("驻村工作队"), "created", len(teams))
        result.count_object(_("干部"), "created", len(numbers))
        result.count_object(_("干部"), "updated", len(self.person_updates))
        result.count_object(_("队员任职"), "created", len(membership_pks))
        result.count_object(_("队员任职"), "updated", len(self.membership_updates))

    @staticmethod
    def _update(model, updates, audit: AuditBatch) -> None:
        """bulk_update stored rows (dicts of every loaded column) with their changes."""
        if not updates:
            return
        objs, names = [], set()
        for stored, changes, county, label in updates:
            obj = model(**stored)
            audit.updated(obj, apply_changes(obj, changes), county, label)
            names.update(changes)
            objs.append(obj)
        model.objects.bulk_update(objs, sorted(names), batch_size=500)
