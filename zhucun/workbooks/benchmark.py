"""Measure a 50,000-row roster import: stock django-import-export against ours.

Run on an empty, migrated database (it adds villages, units and people)::

    ZHUCUN_VAR_DIR=/tmp/bench .venv/bin/python manage.py migrate
    ZHUCUN_VAR_DIR=/tmp/bench .venv/bin/python manage.py shell -c \\
        "from zhucun.workbooks.benchmark import main; main(50000)"

The same workbook (one header row, no title rows, so that stock django-import-export
can read it at all) is imported three ways, each time into the same starting state:

- stock, row by row: a ``ModelResource`` for ``Person`` keyed on 身份证号码, with a
  ``ForeignKeyWidget`` for the unit, labels mapped in ``before_import_row`` and the
  birth date and gender derived in ``before_save_instance`` (the least it needs to
  accept the file). It writes people only: no teams, memberships or audit trail;
- stock in bulk mode (``use_bulk``, ``skip_diff``, ``force_init_instance``);
- stock for the whole roster, row by row and in bulk: the people as above, then a
  second ``ModelResource`` for the memberships (team found or created from the
  village columns in ``before_import_row``). Still no audit trail, no checks;
- ours: the whole roster (people, teams, memberships, audit entries), all rules.
"""

import datetime
import random
import tempfile
import time
from pathlib import Path

import openpyxl
from django.db import connection, transaction
from import_export import fields, resources, widgets
from import_export.formats.base_formats import XLSX

from teams.id_numbers import check_digit
from teams.models import Membership, Person, Team, Term, Unit
from villages.models import Region, Village
from zhucun.models import AuditEntry
from zhucun.workbooks.importer import run_import

HEADERS = [
    "序号",
    "市（州）",
    "县（市、区）",
    "乡（镇）",
    "村",
    "姓名",
    "性别",
    "民族",
    "出生年月",
    "身份证号码",
    "政治面貌",
    "派出单位",
    "现任职务",
    "职级",
    "驻村职务",
    "是否在编在岗",
    "驻村起始时间",
    "驻村结束时间",
    "联系电话",
    "备注",
]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲"


def _id_number(area: str, n: int, male: bool) -> str:
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=n % 9000)
    seq = (n // 9000) * 2 % 1000 + (1 if male else 0)
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def prepare_places(teams: int, units: int = 200) -> tuple[list[Village], list[Unit]]:
    """``teams`` villages spread over 40 counties, and ``units`` (made once)."""
    made = list(Village.objects.filter(name__startswith="基准村").order_by("pk"))
    if len(made) >= teams:
        return made[:teams], list(
            Unit.objects.filter(name__startswith="基准派出单位").order_by("pk")
        )
    counties = list(
        Region.objects.filter(level=Region.Level.COUNTY).order_by("code")[:40]
    )
    townships = []
    for i, county in enumerate(counties):
        for j in range(1, 11):
            code = f"{county.code}{j + 900:03d}"
            townships.append(
                Region(
                    code=code,
                    name=f"基准乡{i}-{j}",
                    level=Region.Level.TOWNSHIP,
                    parent=county,
                    path=Region.build_path(county.path, code),
                )
            )
    Region.objects.bulk_create(townships)
    villages = [
        Village(
            township=townships[k % len(townships)],
            county_id=townships[k % len(townships)].parent_id,
            name=f"基准村{k}",
            household_count=100,
        )
        for k in range(teams)
    ]
    Village.objects.bulk_create(villages, batch_size=1000)
    province = Region.objects.get(level=Region.Level.PROVINCE)
    unit_rows = [
        Unit(
            name=f"基准派出单位{k}",
            level=Unit.Level.PROVINCIAL_DEPT,
            unit_type=Unit.Type.PARTY_GOVERNMENT,
            region=province,
            staff_count=80,
        )
        for k in range(units)
    ]
    Unit.objects.bulk_create(unit_rows)
    return villages, unit_rows


def write_roster(path: Path, rows: int, villages, units, seed: int = 7) -> Path:
    """A roster workbook: about five members per village, first secretary first."""
    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(HEADERS)
    county_codes = {r.pk: r.code for r in Region.objects.filter(level="county")}
    township_names = {r.pk: r.name for r in Region.objects.filter(level="township")}
    prefectures = {
        r.pk: r.parent.name
        for r in Region.objects.filter(level="county").select_related("parent")
    }
    county_names = {r.pk: r.name for r in Region.objects.filter(level="county")}
    roles = ["第一书记兼队长", "队员", "队员", "队员", "队员"]
    for n in range(rows):
        village = villages[n // 5 % len(villages)]
        male = rng.random() < 0.7
        number = _id_number(county_codes[village.county_id], n, male)
        birth = f"{number[6:10]}.{number[10:12]}"
        sheet.append(
            [
                n + 1,
                prefectures[village.county_id],
                county_names[village.county_id],
                township_names[village.township_id],
                village.name,
                rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN),
                "男" if male else "女",
                "汉族",
                birth,
                number,
                "中共党员",
                units[n % len(units)].name,
                "科员",
                "科级",
                roles[n % 5],
                "是",
                "2018-06-01",
                "",
                f"138{n:08d}",
                "",
            ]
        )
    book.save(path)
    return path


_LABELS = {
    "政治面貌": dict(
        (str(label), value) for value, label in Person.PoliticalStatus.choices
    ),
    "职级": dict((str(label), value) for value, label in Person.Rank.choices),
}


class StockPersonResource(resources.ModelResource):
    """The stock way: one ModelResource, per-row saves, widgets for the unit."""

    name = fields.Field("name", column_name="姓名")
    id_number = fields.Field("id_number", column_name="身份证号码")
    ethnicity = fields.Field("ethnicity", column_name="民族")
    political_status = fields.Field("political_status", column_name="政治面貌")
    unit = fields.Field(
        "unit", column_name="派出单位", widget=widgets.ForeignKeyWidget(Unit, "name")
    )
    current_post = fields.Field("current_post", column_name="现任职务")
    rank = fields.Field("rank", column_name="职级")
    on_staff = fields.Field(
        "on_staff", column_name="是否在编在岗", widget=widgets.BooleanWidget()
    )
    phone = fields.Field("phone", column_name="联系电话")

    class Meta:
        model = Person
        import_id_fields = ("id_number",)
        fields = (
            "name",
            "id_number",
            "ethnicity",
            "political_status",
            "unit",
            "current_post",
            "rank",
            "on_staff",
            "phone",
        )

    def before_import_row(self, row, **kwargs):
        for column, labels in _LABELS.items():
            row[column] = labels.get(row[column], row[column])
        row["是否在编在岗"] = row["是否在编在岗"] == "是"

    def before_save_instance(self, instance, row, **kwargs):
        number = instance.id_number
        instance.birth_date = datetime.date(
            int(number[6:10]), int(number[10:12]), int(number[12:14])
        )
        instance.gender = "M" if int(number[16]) % 2 else "F"


class StockBulkPersonResource(StockPersonResource):
    class Meta(StockPersonResource.Meta):
        use_bulk = True
        skip_diff = True
        force_init_instance = True
        batch_size = 1000


_ROLES = {
    "第一书记": ("first_secretary", False),
    "第一书记兼队长": ("first_secretary", True),
    "队长": ("leader", True),
    "队员": ("member", False),
}


class StockMembershipResource(resources.ModelResource):
    """The stock way for the roster's second half: one membership per row.

    The team is found (or created) from the village columns in ``before_import_row``,
    as a stock resource has to; people must have been imported first.
    """

    person = fields.Field(
        "person",
        column_name="身份证号码",
        widget=widgets.ForeignKeyWidget(Person, "id_number"),
    )
    team = fields.Field(
        "team", column_name="team", widget=widgets.ForeignKeyWidget(Team)
    )
    unit = fields.Field(
        "unit", column_name="派出单位", widget=widgets.ForeignKeyWidget(Unit, "name")
    )
    role = fields.Field("role", column_name="role")
    is_leader = fields.Field(
        "is_leader", column_name="is_leader", widget=widgets.BooleanWidget()
    )
    start_date = fields.Field(
        "start_date", column_name="驻村起始时间", widget=widgets.DateWidget("%Y-%m-%d")
    )

    class Meta:
        model = Membership
        import_id_fields = ("person", "team")
        fields = ("person", "team", "unit", "role", "is_leader", "start_date")

    def before_import(self, dataset, **kwargs):
        for name in ("team", "role", "is_leader"):
            dataset.append_col([None] * dataset.height, header=name)

    def before_import_row(self, row, **kwargs):
        village = Village.objects.get(
            county__parent__name=row["市（州）"],
            county__name=row["县（市、区）"],
            township__name=row["乡（镇）"],
            name=row["村"],
        )
        term = Term.objects.get(
            start_date__lte=row["驻村起始时间"], end_date__gte=row["驻村起始时间"]
        )
        team, _created = Team.objects.get_or_create(
            village=village,
            term=term,
            defaults={
                "name": f"{village.name}驻村工作队",
                "start_date": term.start_date,
                "end_date": term.end_date,
                "in_post_deadline": term.in_post_deadline,
            },
        )
        row["team"] = team.pk
        row["role"], row["is_leader"] = _ROLES[row["驻村职务"]]


class StockBulkMembershipResource(StockMembershipResource):
    class Meta(StockMembershipResource.Meta):
        use_bulk = True
        skip_diff = True
        force_init_instance = True
        batch_size = 1000


def _reset() -> None:
    """Back to the starting state: no memberships, teams, people or audit entries."""
    with transaction.atomic():
        Membership.objects.all().delete()
        Team.objects.all().delete()
        Person.objects.all().delete()
        AuditEntry.objects.all().delete()


def _stock(path: Path, *resource_classes) -> tuple[float, float]:
    """(wall, CPU) seconds for stock django-import-export to import ``path``."""
    started, cpu = time.monotonic(), time.process_time()
    for resource_class in resource_classes:
        dataset = XLSX().create_dataset(path.read_bytes())
        resource_class().import_data(dataset, dry_run=False, raise_errors=True)
    return time.monotonic() - started, time.process_time() - cpu


def _ours(path: Path) -> tuple[float, float, object]:
    started, cpu = time.monotonic(), time.process_time()
    result = run_import(kind="roster", path=path)
    return time.monotonic() - started, time.process_time() - cpu, result


def main(rows: int = 50000) -> dict:
    """Print and return the seconds each way took, and the ratios.

    Wall-clock and CPU seconds are both given: on SQLite the database runs inside
    the process, so CPU seconds compare the two ways fairly on a busy machine.
    """
    villages, units = prepare_places(teams=max(1, rows // 5))
    with tempfile.TemporaryDirectory() as folder:
        path = write_roster(Path(folder) / "roster.xlsx", rows, villages, units)
        figures = {"rows": rows, "database": connection.vendor}
        _reset()
        ours, ours_cpu, result = _ours(path)
        if not result.ok:
            raise RuntimeError(result.errors[:5])
        figures["ours_seconds"] = round(ours, 1)
        figures["ours_cpu_seconds"] = round(ours_cpu, 1)
        figures["ours_objects"] = result.objects
        again, again_cpu, result = _ours(path)
        figures["ours_reimport_seconds"] = round(again, 1)
        figures["ours_reimport_cpu_seconds"] = round(again_cpu, 1)
        figures["ours_reimport_unchanged"] = result.unchanged
        runs = {
            "stock_people_row": (StockPersonResource,),
            "stock_people_bulk": (StockBulkPersonResource,),
            "stock_roster_row": (StockPersonResource, StockMembershipResource),
            "stock_roster_bulk": (StockBulkPersonResource, StockBulkMembershipResource),
        }
        for name, classes in runs.items():
            _reset()
            wall, cpu = _stock(path, *classes)
            figures[f"{name}_seconds"] = round(wall, 1)
            figures[f"{name}_cpu_seconds"] = round(cpu, 1)
        _reset()
    for name in runs:
        figures[f"ratio_{name}"] = round(
            figures[f"{name}_seconds"] / figures["ours_seconds"], 1
        )
        figures[f"cpu_ratio_{name}"] = round(
            figures[f"{name}_cpu_seconds"] / figures["ours_cpu_seconds"], 1
        )
    for key, value in figures.items():
        print(f"{key}: {value}")
    return figures
