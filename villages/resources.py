"""The 贫困村名册 workbook (villages): its columns, its export and its import rules.

Import rules: prefectures and counties must exist; a township the workbook names
that does not exist yet is created under its county (code: the county's code and the
next free three digits); a village is found by its 村代码 or, without one, by its
township and name, and created when not found.
"""

from django.utils.translation import gettext as _

from villages.models import Region, Village
from villages.places import PlaceLocator
from villages.selectors import village_list
from villages.services import VILLAGE_FIELDS, township_create
from villages.write_rules import VillageCode, village_code_refusals
from zhucun.audit import AuditBatch
from zhucun.workbooks.bulk import insert_instances
from zhucun.workbooks.columns import (
    Column,
    IntegerWidget,
    TextWidget,
    WorkbookResource,
    YearWidget,
    YesNoWidget,
)
from zhucun.workbooks.importer import (
    Importer,
    Row,
    apply_changes,
    changed_fields,
)
from zhucun.workbooks.values import fold, number_text
from zhucun.write_rules import reject_rows


class VillageCodeWidget(TextWidget):
    """村代码 as typed (a number cell keeps all 12 digits); its rule is the service's.

    The shape, the township prefix and uniqueness are checked for the whole sheet
    by ``villages.write_rules.village_code_refusals``, with the service's message.
    """

    def __init__(self):
        super().__init__(max_length=64)

    def clean(self, value, row=None, **kwargs):
        text = number_text(value) if isinstance(value, (int, float)) else value
        return fold(text)


class VillageResource(WorkbookResource):
    kind = "villages"
    title = _("贫困村名册")

    prefecture = Column(
        "市（州）", "county__parent__name", TextWidget(64, name=True), required=True
    )
    county = Column(
        "县（市、区）", "county__name", TextWidget(64, name=True), required=True
    )
    township = Column(
        "乡（镇）", "township__name", TextWidget(64, name=True), required=True
    )
    name = Column("村", "name", TextWidget(64, name=True), required=True)
    code = Column("村代码", "code", VillageCodeWidget())
    is_registered_poor = Column(
        "是否建档立卡贫困村", "is_registered_poor", YesNoWidget(), required=True
    )
    is_extremely_poor = Column(
        "是否极度贫困村", "is_extremely_poor", YesNoWidget(), blank=False
    )
    planned_exit_year = Column(
        "计划退出年度", "planned_exit_year", YearWidget(), blank=None
    )
    actual_exit_year = Column(
        "实际退出年度", "actual_exit_year", YearWidget(), blank=None
    )
    household_count = Column(
        "户数", "household_count", IntegerWidget(0, 100000), required=True
    )
    drug_aids = Column("涉毒涉艾", "drug_aids", YesNoWidget(), blank=False)
    over_birth_dropout = Column(
        "超生辍学", "over_birth_dropout", YesNoWidget(), blank=False
    )
    county_leader = Column("联系县级领导", "county_leader", TextWidget(32), blank="")

    class Meta:
        model = Village
        fields = (
            "prefecture",
            "county",
            "township",
            "name",
            "code",
            "is_registered_poor",
            "is_extremely_poor",
            "planned_exit_year",
            "actual_exit_year",
            "household_count",
            "drug_aids",
            "over_birth_dropout",
            "county_leader",
        )
        import_id_fields = ("code",)

    def export_queryset(self, *, county=None):

        villages = (
            Village.objects.select_related("township", "county__parent")
            if self.user is None
            else village_list(user=self.user)
        )
        if county is not None:
            villages = villages.filter(township__path__startswith=county.path)
        return villages.order_by("county__code", "township__code", "name")


# The village fields a row may set (the place columns are handled apart).
_VALUE_FIELDS = tuple(f for f in VILLAGE_FIELDS if f != "name")


class _NewTownship:
    """A township the workbook names that will be created under its county."""

    def __init__(self, county: Region, name: str, code: str):
        self.county, self.name, self.code = county, name, code
        self.region: Region | None = None
        self.path = Region.build_path(county.path, code)

    @property
    def pk(self):
        return self.region.pk if self.region else None


class VillageImporter(PlaceLocator, Importer):
    permissions = ("villages.add_village", "villages.change_village")

    def check(self, rows: list[Row], *, lock: bool) -> None:
        self.locate_counties(rows)
        places = self.places
        codes = {row.data["code"] for row in rows if row.ok and row.given("code")}
        township_ids = set()
        for row in rows:
            if row.ok:
                township = places.township(row.place[0], row.data["township"])
                if township is not None:
                    township_ids.add(township.pk)
        places.load_villages(township_ids, codes, full=True)
        # Villages found by code may sit in townships not loaded yet.
        places.load_townships(v.county_id for v in places.villages_by_code.values())
        self.new_townships: dict[tuple[int, str], _NewTownship] = {}
        self.creates: list[tuple[Row, object, str, dict]] = []
        self.updates: list[tuple[Row, Village, dict]] = []
        self.targeted: dict[int, Row] = {}
        self.duplicates(
            rows,
            lambda r: (r.place[0].pk, fold(r.data["township"]), fold(r.data["name"])),
            "村",
        )
        self.duplicates(
            rows, lambda r: r.data["code"] if r.given("code") else None, "村代码"
        )
        self.code_checks: list[VillageCode] = []
        self.township_hints = self._township_hints(rows)
        for row in rows:
            if row.ok:
                self._place(row)
        reject_rows(village_code_refusals(self.code_checks), {"code": "村代码"})
        self.result.new_townships = [
            f"{places.label(t.county)}/{t.name}（{t.code}）"
            for t in self.new_townships.values()
        ]

    def _township_hints(self, rows: list[Row]) -> dict[tuple[int, str], str]:
        """For a township to be created: the code its villages' 村代码 name.

        A village's code begins with its township's nine digits, so a new
        township takes them from the first row that gives a code of its county.
        """
        hints: dict[tuple[int, str], str] = {}
        for row in rows:
            if not (row.ok and row.given("code")):
                continue
            county, code = row.place[0], row.data["code"]
            if self.places.township(county, row.data["township"]) is not None:
                continue
            if len(code) == 12 and code.isdigit() and code.startswith(county.code):
                hints.setdefault((county.pk, fold(row.data["township"])), code[:9])
        return hints

    def _township(self, row: Row):
        county = row.place[0]
        township = self.places.township(county, row.data["township"])
        if township is not None:
            return township
        key = (county.pk, fold(row.data["township"]))
        if key not in self.new_townships:
            code = self._next_township_code(county, self.township_hints.get(key))
            if code is None:
                row.reject(
                    "乡（镇）",
                    _("%(county)s的乡（镇）代码已用完（999个），无法新建。")
                    % {"county": county.name},
                )
                return None
            self.new_townships[key] = _NewTownship(county, row.data["township"], code)
        return self.new_townships[key]

    def _next_township_code(self, county: Region, hint: str | None) -> str | None:
        taken = {
            t.code for t in self.new_townships.values() if t.county.pk == county.pk
        }
        taken |= set(
            Region.objects.filter(code__startswith=county.code[:6]).values_list(
                "code", flat=True
            )
        )
        if hint is not None and hint not in taken:
            return hint
        for n in range(1, 1000):
            code = f"{county.code[:6]}{n:03d}"
            if code not in taken:
                return code
        return None

    def _place(self, row: Row) -> None:
        county = row.place[0]
        township = self._township(row)
        if township is None:
            return
        if not self.gate.allows_path(township.path):
            row.reject("乡（镇）", self.gate.refusal(row.data["township"]))
            return
        places = self.places
        by_name = (
            places.village(township, row.data["name"])
            if isinstance(township, Region)
            else None
        )
        village = by_name
        code = row.data["code"] if row.given("code") else None
        if code is not None:
            by_code = places.villages_by_code.get(code)
            # A code held by a village of this county names that village; any
            # other holder is the code rule's business (taken, or another place).
            if by_name is None and by_code is not None:
                if by_code.county_id == county.pk:
                    village = by_code
            moved = village is not None and village.township_id != township.pk
            if village is None or village.code != code or moved:
                self.code_checks.append(
                    VillageCode(row, code, township.code, village and village.pk)
                )
        if village is not None:
            if not self.gate.allows_path(places.by_id[village.township_id].path):
                row.reject("村", self.gate.refusal(village.name))
                return
            earlier = self.targeted.setdefault(village.pk, row)
            if earlier is not row:
                row.reject(
                    "村",
                    _("与%(where)s是同一个村。") % {"where": earlier.where()},
                )
                return
        values = {name: row.data[name] for name in _VALUE_FIELDS if row.given(name)}
        if village is None:
            row.outcome = "created"
            self.creates.append((row, township, row.data["name"], values))
            return
        new = dict(values, name=row.data["name"])
        if isinstance(township, Region):
            new["township_id"] = township.pk
        else:
            new["township_id"] = township  # resolved to a pk when written
        changes = changed_fields(village, new)
        if changes:
            row.outcome = "updated"
            self.updates.append((row, village, changes))
        else:
            row.outcome = "unchanged"

    def write(self, rows: list[Row], audit: AuditBatch) -> None:
        for township in self.new_townships.values():
            township.region = township_create(
                county=township.county,
                code=township.code,
                name=township.name,
                user=self.user,
            )
        self.result.count_object(_("乡（镇）"), "created", len(self.new_townships))
        created = []
        for _row, township, name, values in self.creates:
            region = township if isinstance(township, Region) else township.region
            created.append(
                Village(
                    township_id=region.pk,
                    county_id=region.parent_id,
                    name=name,
                    **values,
                )
            )
        insert_instances(created)
        by_id = self.places.by_id
        for village in created:
            audit.created(
                village, VILLAGE_FIELDS, by_id[village.county_id].code, village.name
            )
        changed_names: set[str] = set()
        updated = []
        for _row, village, changes in self.updates:
            # A village moves only between townships of its own county (a code
            # that belongs to another county was refused), so county_id stays.
            moved_to = changes.get("township_id", [None, None])[1]
            if isinstance(moved_to, _NewTownship):
                changes["township_id"][1] = moved_to.pk
            audit.updated(
                village,
                apply_changes(village, changes),
                by_id[village.county_id].code,
                village.name,
            )
            changed_names.update(changes)
            updated.append(village)
        if updated:
            Village.objects.bulk_update(updated, sorted(changed_names), batch_size=500)
        self.result.count_object(_("村"), "created", len(created))
        self.result.count_object(_("村"), "updated", len(updated))


VillageResource.importer_class = VillageImporter
