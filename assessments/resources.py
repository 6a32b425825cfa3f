"""The 培训记录 (training) and 年度考核 (assessments) workbooks.

Training: the person must exist; a course is found by 培训名称 and 开始日期 and
created when new (its 天数 is the longest any row gives it); one record per person
and course. Assessments: the person must exist and have served in the 年度; one
annual grade per person and year; the county's 优秀 grades stay within the 20% cap
(四(三)), counted as ``assessments.services.assessment_grade`` counts them.
"""

from decimal import Decimal

from django.utils.translation import gettext as _

from assessments.models import Assessment, TrainingEvent, TrainingRecord
from assessments.services import ASSESSMENT_FIELDS
from assessments.write_rules import ProposedGrade, excellent_cap_refusals
from teams.importing import (
    check_person,
    memberships_of,
    people_by_id_number,
    serving_membership,
)
from teams.models import Membership, Person
from villages.models import Region
from villages.places import PlaceLocator
from zhucun.access import scoped
from zhucun.audit import AuditBatch
from zhucun.periods import year_bounds
from zhucun.workbooks.bulk import insert_instances
from zhucun.workbooks.columns import (
    ChoiceWidget,
    Column,
    DateWidget,
    DecimalWidget,
    IdNumberWidget,
    TextWidget,
    WorkbookResource,
    YearWidget,
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


def _id_column(attribute: str) -> Column:
    return Column(
        "身份证号码",
        attribute,
        IdNumberWidget(),
        required=True,
        aliases=("身份证号", "公民身份号码"),
        personal=True,
    )


def _write(model, creates, updates, audit: AuditBatch, fields, label, county):
    """Bulk-create and bulk-update rows of ``model``, with their audit entries."""
    created = [obj for _row, obj in creates]
    insert_instances(created)
    for row, obj in creates:
        audit.created(obj, fields, county(row), label(row, obj))
    names: set[str] = set()
    for row, obj, changes in updates:
        names.update(changes)
        audit.updated(obj, apply_changes(obj, changes), county(row), label(row, obj))
    if updates:
        model.objects.bulk_update(
            [obj for _r, obj, _c in updates], sorted(names), batch_size=500
        )
    return len(created), len(updates)


# --- 培训记录 -------------------------------------------------------------------


class TrainingResource(WorkbookResource):
    kind = "training"
    title = _("培训记录")

    id_number = _id_column("person__id_number")
    name = Column("姓名", "person__name", TextWidget(32, name=True))
    event_name = Column("培训名称", "event__name", TextWidget(128), required=True)
    level = Column(
        "举办层级", "event__level", ChoiceWidget(TrainingEvent.Level), required=True
    )
    start_date = Column("开始日期", "event__start_date", DateWidget(), required=True)
    days = Column(
        "天数",
        "days",
        DecimalWidget(1, maximum=Decimal("366"), positive=True),
        required=True,
    )

    class Meta:
        model = TrainingRecord
        fields = ("id_number", "name", "event_name", "level", "start_date", "days")
        import_id_fields = ()

    def export_queryset(self, *, county=None):

        records = TrainingRecord.objects.select_related("person", "event")
        if self.user is not None:
            records = scoped(self.user, records)
        if county is not None:
            records = records.filter(
                person__memberships__team__village__township__path__startswith=(
                    county.path
                )
            ).distinct()
        return records.order_by("event__start_date", "event__name", "person__id_number")


class TrainingImporter(Importer):
    permissions = (
        "assessments.add_trainingevent",
        "assessments.add_trainingrecord",
        "assessments.change_trainingrecord",
    )

    def check(self, rows: list[Row], *, lock: bool) -> None:
        people = people_by_id_number(rows, user=self.user)
        for row in rows:
            if row.ok:
                row.plan = {"person": check_person(row, people)}
        ok = [row for row in rows if row.ok]
        visible = self.gate.visible(
            Person.objects.all(), [r.plan["person"].pk for r in ok]
        )
        for row in ok:
            if row.plan["person"].pk not in visible:
                row.reject("身份证号码", self.gate.refusal(row.plan["person"].name))
        self.duplicates(
            rows,
            lambda r: (
                r.data["id_number"],
                fold(r.data["event_name"]),
                r.data["start_date"],
            ),
            "培训名称",
        )
        ok = [row for row in rows if row.ok]
        dates = sorted({row.data["start_date"] for row in ok})
        events = {
            (fold(e.name), e.start_date): e
            for e in TrainingEvent.objects.filter(start_date__in=dates)
        }
        self.new_events: dict[tuple, TrainingEvent] = {}
        for row in ok:
            key = (fold(row.data["event_name"]), row.data["start_date"])
            event = events.get(key)
            if event is not None and event.level != row.data["level"]:
                row.reject(
                    "举办层级",
                    _("该培训班已登记为%(level)s。")
                    % {"level": event.get_level_display()},
                )
                continue
            if event is None:
                event = self.new_events.get(key)
                if event is None:
                    event = self.new_events[key] = TrainingEvent(
                        name=row.data["event_name"],
                        level=row.data["level"],
                        start_date=row.data["start_date"],
                        days=row.data["days"],
                    )
                elif event.level != row.data["level"]:
                    row.reject(
                        "举办层级",
                        _("同一培训班在本表中的举办层级不一致。"),
                    )
                    continue
                event.days = max(event.days, row.data["days"])
            row.plan["event"] = event
        self._plan([row for row in rows if row.ok])

    def _plan(self, ok: list[Row]) -> None:
        stored = {}
        event_ids = sorted({r.plan["event"].pk for r in ok if r.plan["event"].pk})
        for chunk in chunks(event_ids):
            stored.update(
                ((t.event_id, t.person_id), t)
                for t in TrainingRecord.objects.filter(event_id__in=chunk)
            )
        self.creates, self.updates = [], []
        for row in ok:
            event, person = row.plan["event"], row.plan["person"]
            current = stored.get((event.pk, person.pk)) if event.pk else None
            if current is None:
                row.outcome = "created"
                self.creates.append(
                    (row, TrainingRecord(person_id=person.pk, days=row.data["days"]))
                )
                continue
            changes = changed_fields(current, {"days": row.data["days"]})
            row.outcome = "updated" if changes else "unchanged"
            if changes:
                self.updates.append((row, current, changes))

    def write(self, rows: list[Row], audit: AuditBatch) -> None:
        events = list(self.new_events.values())
        insert_instances(events)
        for event in events:
            audit.created(event, ("name", "level", "start_date", "days"))
        for row, record in self.creates:
            record.event_id = row.plan["event"].pk
        created, updated = _write(
            TrainingRecord,
            self.creates,
            self.updates,
            audit,
            ("event_id", "person_id", "days"),
            lambda row, obj: f"{row.plan['person'].name} {row.plan['event'].name}",
            lambda row: "",
        )
        self.result.count_object(_("培训班"), "created", len(events))
        self.result.count_object(_("培训记录"), "created", created)
        self.result.count_object(_("培训记录"), "updated", updated)


TrainingResource.importer_class = TrainingImporter


# --- 年度考核 -------------------------------------------------------------------


class AssessmentResource(WorkbookResource):
    kind = "assessments"
    title = _("年度考核")

    id_number = _id_column("person__id_number")
    name = Column("姓名", "person__name", TextWidget(32, name=True))
    year = Column("年度", "year", YearWidget(), required=True)
    grade = Column("考核等次", "grade", ChoiceWidget(Assessment.Grade), required=True)
    villager_score = Column(
        "村民测评",
        "villager_score",
        DecimalWidget(2, Decimal("0"), Decimal("100")),
        blank=None,
    )
    cadre_score = Column(
        "村干部评议",
        "cadre_score",
        DecimalWidget(2, Decimal("0"), Decimal("100")),
        blank=None,
    )

    class Meta:
        model = Assessment
        fields = ("id_number", "name", "year", "grade", "villager_score", "cadre_score")
        import_id_fields = ()

    def export_queryset(self, *, county=None):

        grades = Assessment.objects.filter(kind=Assessment.Kind.ANNUAL).select_related(
            "person"
        )
        if self.user is not None:
            grades = scoped(self.user, grades)
        if county is not None:
            grades = grades.filter(
                membership__team__village__township__path__startswith=county.path
            )
        return grades.order_by(
            "-year", "membership__team__village__county__code", "person__id_number"
        )


class AssessmentImporter(PlaceLocator, Importer):
    permissions = ("assessments.add_assessment", "assessments.change_assessment")

    def check(self, rows: list[Row], *, lock: bool) -> None:
        people = people_by_id_number(rows, user=self.user)
        placed = [(row, check_person(row, people)) for row in rows if row.ok]
        memberships = memberships_of(
            {p for _r, p in placed if p is not None}, "team__village"
        )
        for row, person in placed:
            if person is None:
                continue
            first, last = year_bounds(row.data["year"])
            membership = serving_membership(memberships[person.pk], first, last)
            if membership is None:
                row.reject(
                    "年度",
                    _("%(name)s在%(year)d年未驻村任职，不能评定该年度等次。")
                    % {"name": person.name, "year": row.data["year"]},
                )
                continue
            row.plan = {"person": person, "membership": membership}
            row.place = [None, None, membership.team.village]
        ok = [row for row in rows if row.ok]
        visible = self.gate.visible(
            Membership.objects.all(), [r.plan["membership"].pk for r in ok]
        )
        for row in ok:
            if row.plan["membership"].pk not in visible:
                row.reject("身份证号码", self.gate.refusal(row.plan["person"].name))
        self.duplicates(rows, lambda r: (r.data["id_number"], r.data["year"]), "年度")
        self._plan([row for row in rows if row.ok], lock)
        self._check_cap([row for row in rows if row.ok], lock)

    def _plan(self, ok: list[Row], lock: bool) -> None:
        stored = {}
        ids = sorted({r.plan["person"].pk for r in ok})
        queryset = Assessment.objects.filter(kind=Assessment.Kind.ANNUAL)
        for chunk in chunks(ids):
            stored.update(
                ((a.person_id, a.year), a) for a in queryset.filter(person_id__in=chunk)
            )
        self.creates, self.updates = [], []
        for row in ok:
            person, membership = row.plan["person"], row.plan["membership"]
            values = {
                "membership_id": membership.pk,
                "grade": row.data["grade"],
            }
            for name in ("villager_score", "cadre_score"):
                if row.given(name):
                    values[name] = row.data[name]
            current = stored.get((person.pk, row.data["year"]))
            if current is None:
                row.outcome = "created"
                self.creates.append(
                    (
                        row,
                        Assessment(
                            person_id=person.pk,
                            year=row.data["year"],
                            kind=Assessment.Kind.ANNUAL,
                            **values,
                        ),
                    )
                )
                continue
            changes = changed_fields(current, values)
            row.outcome = "updated" if changes else "unchanged"
            if changes:
                self.updates.append((row, current, changes))

    def _check_cap(self, ok: list[Row], lock: bool) -> None:
        """The 20% cap (assessments.write_rules), file and stored together."""
        grades = [
            ProposedGrade(
                item=row,
                person_id=row.plan["person"].pk,
                county_id=row.place[2].county_id,
                county_name=self.places.by_id[row.place[2].county_id].name,
                year=row.data["year"],
                counts=row.data["grade"] == Assessment.Grade.EXCELLENT
                and row.plan["membership"].role != Membership.Role.FIRST_SECRETARY,
            )
            for row in ok
        ]
        county_ids = sorted({g.county_id for g in grades if g.counts})
        if not county_ids:
            return
        if lock:
            # The county row stands for "this county's grades" (as in
            # assessments.services): lock before counting.
            list(
                Region.objects.select_for_update()
                .filter(pk__in=county_ids)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        reject_rows(excellent_cap_refusals(grades), {"grade": "考核等次"})

    def write(self, rows: list[Row], audit: AuditBatch) -> None:
        county = {pk: r.code for pk, r in self.places.by_id.items()}
        created, updated = _write(
            Assessment,
            self.creates,
            self.updates,
            audit,
            ASSESSMENT_FIELDS,
            lambda row, obj: f"{row.plan['person'].name} {obj.year}年度考核",
            lambda row: county[row.place[2].county_id],
        )
        self.result.count_object(_("年度考核"), "created", created)
        self.result.count_object(_("年度考核"), "updated", updated)


AssessmentResource.importer_class = AssessmentImporter
