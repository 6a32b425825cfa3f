"""Load Sichuan's real divisions (21 prefectures, 183 counties) from villages/data/."""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "sichuan-divisions.csv"


def load(apps, schema_editor):
    Region = apps.get_model("villages", "Region")
    paths: dict[str, str] = {}
    ids: dict[str, int] = {}
    with DATA.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    # Rows come parents first (province, prefectures, counties).
    for row in rows:
        parent = row["parent_code"] or None
        path = f"{paths[parent] if parent else ''}{row['code']}/"
        deep = row["deep_poverty_county"] == "1"
        region = Region.objects.create(
            code=row["code"],
            name=row["name"],
            level=row["level"],
            parent_id=ids[parent] if parent else None,
            path=path,
            deep_poverty=deep,
            poor_county=deep,
            ethnic_area=row["ethnic_area"],
            hardship_class=int(row["hardship_class"] or 0),
        )
        paths[row["code"]] = path
        ids[row["code"]] = region.pk


def unload(apps, schema_editor):
    apps.get_model("villages", "Region").objects.filter(
        level__in=["province", "prefecture", "county"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("villages", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
