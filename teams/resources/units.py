"""The 派出单位 (units) workbook: its columns and its importer."""

from django.utils.translation import gettext as _

from teams.models import Unit, WorkCommittee
from teams.selectors import unit_list
from villages.models import Region
from villages.places import PlaceIndex
from zhucun.audit import AuditBatch
from zhucun.workbooks.bulk import insert_instances
from zhucun.workbooks.columns import (
    ChoiceWidget,
    Column,
    IntegerWidget,
    TextWidget,
    WorkbookResource,
)
from zhucun.workbooks.importer import (
    Importer,
    Row,
    apply_changes,
    changed_fields,
)
from zhucun.workbooks.values import CellError, fold


class UnitResource(WorkbookResource):
    kind = "units"
    title = _("派出单位")

    name = Column("单位名称", "name", TextWidget(128), required=True)
    level = Column("单位层级", "level", ChoiceWidget(Unit.Level), required=True)
    unit_type = Column("单位类型", "unit_type", ChoiceWidget(Unit.Type), required=True)
    region = Column(
        "所在地区",
        "region__name",
        TextWidget(64),
        required=True,
        aliases=("所在地",),
    )
    staff_count = Column(
        "在编在岗人数", "staff_count", IntegerWidget(0, 1000000), required=True
    )
    fixed_point_county = Column(
        "定点帮扶县", "fixed_point_county__name", TextWidget(64), blank=None
    )
    deep_poverty_link_county = Column(
        "2017年新增联系深度贫困县",
        "deep_poverty_link_county__name",
        TextWidget(64),
        blank=None,
    )
    work_committee = Column(
        "所属机关工委", "work_committee__name", TextWidget(64), blank=None
    )

    class Meta:
        model = Unit
        fields = (
            "name",
            "level",
            "unit_type",
            "region",
            "staff_count",
            "fixed_point_county",
            "deep_poverty_link_county",
            "work_committee",
        )
        import_id_fields = ("name",)

    def _label(self, region: Region | None) -> str:
        if region is None:
            return ""
        if region.level == Region.Level.COUNTY:
            return f"{region.parent.name}/{region.name}"
        return region.name

    def dehydrate_region(self, unit: Unit) -> str:
        return self._label(unit.region)

    def dehydrate_fixed_point_county(self, unit: Unit) -> str:
        return self._label(unit.fixed_point_county)

    def dehydrate_deep_poverty_link_county(self, unit: Unit) -> str:
        return self._label(unit.deep_poverty_link_county)

    def export_queryset(self, *, county=None):

        units = Unit.objects.all() if self.user is None else unit_list(user=self.user)
        units = units.select_related(
            "region__parent",
            "work_committee",
            "fixed_point_county__parent",
            "deep_poverty_link_county__parent",
        )
        if county is not None:
            units = units.filter(region__path__startswith=county.path)
        return units.order_by("level", "name")


_UNIT_VALUE_FIELDS = (
    "name",
    "level",
    "unit_type",
    "region_id",
    "staff_count",
    "fixed_point_county_id",
    "deep_poverty_link_county_id",
    "work_committee_id",
)


# How a county's committee is named: the county's name and this (昭觉县直机关工委).
COUNTY_COMMITTEE_SUFFIX = "直机关工委"


class _NewCommittee:
    """A county's work committee the workbook names; created under that county."""

    def __init__(self, name: str, county: Region):
        self.name, self.county = name, county
        self.committee: WorkCommittee | None = None

    @property
    def pk(self):
        return self.committee.pk if self.committee else None


def _resolve(value):
    """The id to store: a new committee's, once it is written."""
    return value.pk if isinstance(value, _NewCommittee) else value


class UnitImporter(Importer):
    permissions = ("teams.add_unit", "teams.change_unit")

    def check(self, rows: list[Row], *, lock: bool) -> None:
        places = PlaceIndex()
        units = {fold(u.name): u for u in Unit.objects.all()}
        self.committees = {
            fold(c.name): c
            for c in WorkCommittee.objects.order_by("region__path", "name").only(
                "id", "name"
            )
        }
        self.new_committees: dict[str, _NewCommittee] = {}
        self.creates: list[Unit] = []
        self.updates: list[tuple[Unit, dict]] = []
        self.duplicates(rows, lambda r: fold(r.data["name"]), "单位名称")
        for row in rows:
            if not row.ok:
                continue
            new = {"name": row.data["name"]}
            for name in ("level", "unit_type", "staff_count"):
                if row.given(name):
                    new[name] = row.data[name]
            region = places.region_path(row.data["region"])
            if region is None:
                row.reject(
                    "所在地区",
                    _("“%(value)s”不是市（州）或“市（州）/县（市、区）”。")
                    % {"value": row.data["region"]},
                )
                continue
            new["region_id"] = region.pk
            for name, column in (
                ("fixed_point_county", "定点帮扶县"),
                ("deep_poverty_link_county", "2017年新增联系深度贫困县"),
            ):
                if row.given(name):
                    new[f"{name}_id"] = self._county(row, places, name, column)
            if row.given("work_committee"):
                new["work_committee_id"] = self._committee(row, places)
            if not row.ok:
                continue
            unit = units.get(fold(row.data["name"]))
            if not self.gate.allows_path(region.path) or (
                unit is not None
                and not self.gate.allows_path(places.by_id[unit.region_id].path)
            ):
                row.reject("所在地区", self.gate.refusal(row.data["name"]))
                continue
            if unit is None:
                row.outcome = "created"
                self.creates.append(Unit(**new))
                continue
            new["name"] = unit.name  # same unit: keep its stored spelling
            changes = changed_fields(unit, new)
            row.outcome = "updated" if changes else "unchanged"
            if changes:
                self.updates.append((unit, changes))
        self.county_codes = {pk: r.code for pk, r in places.by_id.items()}
        self.result.notes.extend(
            _("将新建机关工委：%(name)s（%(county)s）")
            % {"name": c.name, "county": places.label(c.county)}
            for c in self.new_committees.values()
        )

    def _committee(self, row: Row, places: PlaceIndex):
        """The committee the row names: a known one, or a county's to be created.

        The province's and the prefectures' committees exist from the migrations;
        a county's (XX县直机关工委) is created under its county the first time a
        workbook names it. Any other unknown name is refused, listing the known.
        """
        text = row.data["work_committee"]
        if text is None:
            return None
        known = self.committees.get(fold(text))
        if known is not None:
            return known.pk
        pending = self.new_committees.get(fold(text))
        if pending is not None:
            return pending
        county = self._committee_county(text, places)
        if county is None:
            row.reject(
                "所属机关工委",
                _(
                    "没有名为“%(name)s”的机关工委。已有的机关工委：%(known)s；"
                    "县级机关工委可写作“县（市、区）名称＋直机关工委”"
                    "（如“昭觉县直机关工委”），导入时自动新建。"
                )
                % {
                    "name": text,
                    "known": "、".join(c.name for c in self.committees.values()),
                },
            )
            return None
        if not self.gate.allows_path(county.path):
            row.reject("所属机关工委", self.gate.refusal(text))
            return None
        pending = self.new_committees[fold(text)] = _NewCommittee(text.strip(), county)
        return pending

    def _committee_county(self, text: str, places: PlaceIndex) -> Region | None:
        """The county a "XX县直机关工委" names, when it names exactly one."""
        key = fold(text)
        suffix = fold(COUNTY_COMMITTEE_SUFFIX)
        if not key.endswith(suffix) or len(key) == len(suffix):
            return None
        try:
            return places.county_anywhere(text.strip()[: -len(COUNTY_COMMITTEE_SUFFIX)])
        except CellError:
            return None

    def _county(self, row: Row, places: PlaceIndex, name: str, column: str):
        text = row.data[name]
        if text is None:
            return None
        try:
            return places.county_anywhere(text).pk
        except CellError as exc:
            row.reject(column, exc.message)
            return None

    def _county_code(self, unit: Unit) -> str:
        code = self.county_codes.get(unit.region_id, "")
        return code if len(code) == 6 and not code.endswith("00") else ""

    def _write_committees(self, audit: AuditBatch) -> None:
        """Create the counties' committees the workbook names, then point units at them."""
        pending = list(self.new_committees.values())
        for c in pending:
            c.committee = WorkCommittee(
                name=c.name, level=WorkCommittee.Level.COUNTY, region=c.county
            )
        insert_instances([c.committee for c in pending])
        for c in pending:
            audit.created(c.committee, ("name", "level", "region_id"), c.county.code)
        self.result.count_object(_("机关工委"), "created", len(pending))
        for unit in self.creates:
            unit.work_committee_id = _resolve(unit.work_committee_id)
        for _unit, changes in self.updates:
            if "work_committee_id" in changes:
                changes["work_committee_id"][1] = _resolve(
                    changes["work_committee_id"][1]
                )

    def write(self, rows: list[Row], audit: AuditBatch) -> None:
        self._write_committees(audit)
        insert_instances(self.creates)
        for unit in self.creates:
            audit.created(unit, _UNIT_VALUE_FIELDS, self._county_code(unit), unit.name)
        names: set[str] = set()
        for unit, changes in self.updates:
            names.update(changes)
            audit.updated(
                unit, apply_changes(unit, changes), self._county_code(unit), unit.name
            )
        if self.updates:
            Unit.objects.bulk_update(
                [u for u, _c in self.updates], sorted(names), batch_size=500
            )
        self.result.count_object(_("派出单位"), "created", len(self.creates))
        self.result.count_object(_("派出单位"), "updated", len(self.updates))


UnitResource.importer_class = UnitImporter
