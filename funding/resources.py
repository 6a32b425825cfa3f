"""The 工作经费 workbook (working funds per team and year).

Import rules: the village must exist and have a team serving in the 年度 (the one
that started last, if two did); a row is an allocation of one source. Allocations
are matched in order: the first row for a (team, 年度, 经费来源) is that key's first
stored allocation, the second row its second, and so on; rows beyond the stored ones
are new allocations.
"""

from collections import defaultdict
from decimal import Decimal

from django.utils.translation import gettext as _

from funding.models import Fund
from funding.write_rules import FundChange, fund_balance_refusals
from teams.models import Team
from villages.places import PlaceLocator
from zhucun.access import scoped
from zhucun.audit import AuditBatch
from zhucun.periods import year_bounds
from zhucun.workbooks.bulk import insert_instances
from zhucun.workbooks.columns import (
    ChoiceWidget,
    Column,
    DecimalWidget,
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
from zhucun.write_rules import reject_rows


class FundResource(WorkbookResource):
    kind = "funding"
    title = _("工作经费")

    prefecture = Column(
        "市（州）",
        "team__village__county__parent__name",
        TextWidget(64, name=True),
        required=True,
    )
    county = Column(
        "县（市、区）",
        "team__village__county__name",
        TextWidget(64, name=True),
        required=True,
    )
    township = Column(
        "乡（镇）",
        "team__village__township__name",
        TextWidget(64, name=True),
        required=True,
    )
    village = Column(
        "村", "team__village__name", TextWidget(64, name=True), required=True
    )
    year = Column("年度", "year", YearWidget(), required=True)
    amount = Column(
        "金额（元）",
        "amount",
        DecimalWidget(2, maximum=Decimal("9999999999"), positive=True),
        required=True,
        aliases=("金额",),
    )
    source = Column("经费来源", "source", ChoiceWidget(Fund.Source), required=True)

    class Meta:
        model = Fund
        fields = (
            "prefecture",
            "county",
            "township",
            "village",
            "year",
            "amount",
            "source",
        )
        import_id_fields = ()

    def export_queryset(self, *, county=None):

        funds = Fund.objects.select_related(
            "team__village__township", "team__village__county__parent"
        )
        if self.user is not None:
            funds = scoped(self.user, funds)
        if county is not None:
            funds = funds.filter(team__village__township__path__startswith=county.path)
        return funds.order_by(
            "team__village__county__code",
            "team__village__township__code",
            "team__village__name",
            "year",
            "source",
            "pk",
        )


_AUDIT_FIELDS = ("team_id", "year", "amount", "source")


class FundImporter(PlaceLocator, Importer):
    permissions = ("funding.add_fund", "funding.change_fund")

    def check(self, rows: list[Row], *, lock: bool) -> None:
        self.locate_villages(rows)
        ok = [row for row in rows if row.ok]
        villages = sorted({row.place[2].pk for row in ok})
        teams = defaultdict(list)
        for chunk in chunks(villages):
            for team in Team.objects.filter(village_id__in=chunk):
                teams[team.village_id].append(team)
        for row in ok:
            first, last = year_bounds(row.data["year"])
            serving = [
                t
                for t in teams[row.place[2].pk]
                if t.start_date <= last and (t.end_date is None or t.end_date >= first)
            ]
            if not serving:
                row.reject(
                    "年度",
                    _("%(village)s在%(year)d年没有驻村工作队。")
                    % {"village": row.place[2].name, "year": row.data["year"]},
                )
                continue
            row.plan = {"team": max(serving, key=lambda t: t.start_date)}
        self._plan([row for row in rows if row.ok], lock)

    def _plan(self, ok: list[Row], lock: bool) -> None:
        stored = defaultdict(list)
        team_ids = sorted({row.plan["team"].pk for row in ok})
        queryset = Fund.objects.order_by("pk")
        if lock:
            queryset = queryset.select_for_update()
        for chunk in chunks(team_ids):
            for fund in queryset.filter(team_id__in=chunk):
                stored[(fund.team_id, fund.year, fund.source)].append(fund)
        seen = defaultdict(int)
        self.creates, self.updates = [], []
        for row in ok:
            key = (row.plan["team"].pk, row.data["year"], row.data["source"])
            nth = seen[key]
            seen[key] += 1
            funds = stored[key]
            if nth >= len(funds):
                row.outcome = "created"
                self.creates.append(
                    (
                        row,
                        Fund(
                            team_id=key[0],
                            year=key[1],
                            source=key[2],
                            amount=row.data["amount"],
                        ),
                    )
                )
                continue
            current = funds[nth]
            changes = changed_fields(current, {"amount": row.data["amount"]})
            row.outcome = "updated" if changes else "unchanged"
            if changes:
                self.updates.append((row, current, changes))
        # A corrected amount may not fall below what is spent (the funds are
        # locked above when ``lock``, as fund_update locks its fund).
        reject_rows(
            fund_balance_refusals(
                FundChange(row, fund.pk, row.data["amount"])
                for row, fund, _changes in self.updates
            ),
            {"amount": "金额（元）"},
        )

    def write(self, rows: list[Row], audit: AuditBatch) -> None:
        by_id = self.places.by_id
        created = [fund for _row, fund in self.creates]
        insert_instances(created)
        for row, fund in self.creates:
            audit.created(
                fund,
                _AUDIT_FIELDS,
                by_id[row.place[2].county_id].code,
                f"{row.place[2].name} {fund.year}年工作经费",
            )
        for row, fund, changes in self.updates:
            audit.updated(
                fund,
                apply_changes(fund, changes),
                by_id[row.place[2].county_id].code,
                f"{row.place[2].name} {fund.year}年工作经费",
            )
        if self.updates:
            Fund.objects.bulk_update(
                [f for _r, f, _c in self.updates], ["amount"], batch_size=500
            )
        self.result.count_object(_("工作经费"), "created", len(created))
        self.result.count_object(_("工作经费"), "updated", len(self.updates))


FundResource.importer_class = FundImporter
