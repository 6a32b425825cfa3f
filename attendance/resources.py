"""The 月度考勤表 workbook (monthly attendance, one sheet per month on export).

Import rules: the person (by 身份证号码) must exist and the 姓名 must be theirs; the
row is for the person's membership that covers the month; the three day counts fit in
the month; a township's month that was submitted (报送) is locked.
"""

import calendar

from django.utils.translation import gettext as _

from attendance.models import MonthlyAttendance
from attendance.write_rules import locked_month_refusals
from teams.importing import (
    check_person,
    memberships_of,
    people_by_id_number,
    serving_membership,
)
from teams.models import Membership
from villages.places import PlaceLocator
from zhucun.access import scoped
from zhucun.audit import AuditBatch
from zhucun.workbooks.bulk import insert_instances
from zhucun.workbooks.columns import (
    Column,
    DateWidget,
    IdNumberWidget,
    IntegerWidget,
    TextWidget,
    WorkbookResource,
)
from zhucun.workbooks.importer import (
    Importer,
    Row,
    apply_changes,
    changed_fields,
    chunks,
)
from zhucun.write_rules import reject_rows


class AttendanceResource(WorkbookResource):
    kind = "attendance"
    title = _("月度考勤表")

    name = Column(
        "姓名", "membership__person__name", TextWidget(32, name=True), required=True
    )
    id_number = Column(
        "身份证号码",
        "membership__person__id_number",
        IdNumberWidget(),
        required=True,
        aliases=("身份证号", "公民身份号码"),
        personal=True,
    )
    month = Column("年月", "month", DateWidget(month=True), required=True)
    in_post_days = Column(
        "在岗天数", "in_post_days", IntegerWidget(0, 31), required=True
    )
    leave_days = Column("请假天数", "leave_days", IntegerWidget(0, 31), blank=0)
    trip_days = Column("公务外出天数", "trip_days", IntegerWidget(0, 31), blank=0)
    remark = Column("备注", "remark", TextWidget(200), blank="")

    class Meta:
        model = MonthlyAttendance
        fields = (
            "name",
            "id_number",
            "month",
            "in_post_days",
            "leave_days",
            "trip_days",
            "remark",
        )
        import_id_fields = ()

    def sheet_name(self, attendance: MonthlyAttendance) -> str:
        return f"{attendance.month:%Y年%m月}"

    def export_queryset(self, *, county=None):

        rows = MonthlyAttendance.objects.select_related("membership__person")
        if self.user is not None:
            rows = scoped(self.user, rows)
        if county is not None:
            rows = rows.filter(
                membership__team__village__township__path__startswith=county.path
            )
        return rows.order_by(
            "month",
            "membership__team__village__township__code",
            "membership__team__village__name",
            "membership__role",
            "membership__person__id_number",
        )


_AUDIT_FIELDS = (
    "membership_id",
    "month",
    "in_post_days",
    "leave_days",
    "trip_days",
    "remark",
)
_VALUE_FIELDS = ("in_post_days", "leave_days", "trip_days", "remark")


def month_bounds(month):
    last = calendar.monthrange(month.year, month.month)[1]
    return month, month.replace(day=last), last


class AttendanceImporter(PlaceLocator, Importer):
    permissions = (
        "attendance.add_monthlyattendance",
        "attendance.change_monthlyattendance",
    )

    def check(self, rows: list[Row], *, lock: bool) -> None:
        people = people_by_id_number(rows, user=self.user)
        placed = [(row, check_person(row, people)) for row in rows if row.ok]
        memberships = memberships_of(
            {p for _r, p in placed if p is not None}, "team__village"
        )
        for row, person in placed:
            if person is None:
                continue
            first, last, days = month_bounds(row.data["month"])
            membership = serving_membership(memberships[person.pk], first, last)
            if membership is None:
                row.reject(
                    "年月",
                    _("%(name)s在%(month)s没有驻村任职。")
                    % {"name": person.name, "month": f"{first:%Y年%m月}"},
                )
                continue
            total = sum(
                row.data[f] if row.given(f) else 0
                for f in ("in_post_days", "leave_days", "trip_days")
            )
            if total > days:
                row.reject(
                    "在岗天数",
                    _("在岗、请假、公务外出天数合计%(total)d天，超过当月的%(days)d天。")
                    % {"total": total, "days": days},
                )
                continue
            row.place = [None, None, membership.team.village]
            row.plan = {"membership": membership, "person": person}
        ok = [row for row in rows if row.ok]
        visible = self.gate.visible(
            Membership.objects.all(), [r.plan["membership"].pk for r in ok]
        )
        for row in ok:
            if row.plan["membership"].pk not in visible:
                row.reject("身份证号码", self.gate.refusal(row.plan["person"].name))
        self.duplicates(
            rows, lambda r: (r.data["id_number"], r.data["month"]), "身份证号码"
        )
        self._check_locked(rows)
        self._plan(rows, lock)

    def _check_locked(self, rows: list[Row]) -> None:
        """The locked-month rule, for the whole sheet, with the grid's message."""
        reject_rows(
            locked_month_refusals(
                (row, row.place[2].township_id, row.data["month"])
                for row in rows
                if row.ok
            ),
            {"month": "年月"},
        )

    def _plan(self, rows: list[Row], lock: bool) -> None:
        ok = [row for row in rows if row.ok]
        ids = sorted({row.plan["membership"].pk for row in ok})
        stored = {}
        queryset = MonthlyAttendance.objects.all()
        if lock:
            queryset = queryset.select_for_update().order_by("pk")
        for chunk in chunks(ids):
            stored.update(
                ((a.membership_id, a.month), a)
                for a in queryset.filter(membership_id__in=chunk)
            )
        self.creates, self.updates = [], []
        for row in ok:
            membership = row.plan["membership"]
            values = {f: row.data[f] for f in _VALUE_FIELDS if row.given(f)}
            current = stored.get((membership.pk, row.data["month"]))
            if current is None:
                row.outcome = "created"
                self.creates.append(
                    (
                        row,
                        MonthlyAttendance(
                            membership_id=membership.pk,
                            month=row.data["month"],
                            **values,
                        ),
                    )
                )
                continue
            changes = changed_fields(current, values)
            row.outcome = "updated" if changes else "unchanged"
            if changes:
                self.updates.append((row, current, changes))

    def write(self, rows: list[Row], audit: AuditBatch) -> None:
        county = {pk: r.code for pk, r in self.places.by_id.items()}
        created = [a for _r, a in self.creates]
        insert_instances(created)
        for row, attendance in self.creates:
            audit.created(
                attendance,
                _AUDIT_FIELDS,
                county[row.place[2].county_id],
                _label(row, attendance),
            )
        names: set[str] = set()
        for row, attendance, changes in self.updates:
            names.update(changes)
            audit.updated(
                attendance,
                apply_changes(attendance, changes),
                county[row.place[2].county_id],
                _label(row, attendance),
            )
        if self.updates:
            MonthlyAttendance.objects.bulk_update(
                [a for _r, a, _c in self.updates], sorted(names), batch_size=500
            )
        self.result.count_object(_("月度考勤"), "created", len(created))
        self.result.count_object(_("月度考勤"), "updated", len(self.updates))


def _label(row: Row, attendance: MonthlyAttendance) -> str:
    return f"{row.plan['person'].name} {attendance.month:%Y年%m月}"


AttendanceResource.importer_class = AttendanceImporter
