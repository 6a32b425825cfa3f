"""The policy's own term: 2018-06-01 to 2020-05-31, in post by 2018-06-30 (二(四))."""

import datetime

from django.db import migrations


def load(apps, schema_editor):
    apps.get_model("teams", "Term").objects.get_or_create(
        name="2018—2020年驻村期",
        defaults={
            "start_date": datetime.date(2018, 6, 1),
            "end_date": datetime.date(2020, 5, 31),
            "in_post_deadline": datetime.date(2018, 6, 30),
        },
    )


def unload(apps, schema_editor):
    apps.get_model("teams", "Term").objects.filter(name="2018—2020年驻村期").delete()


class Migration(migrations.Migration):
    dependencies = [("teams", "0002_membership_overlap_guard")]
    operations = [migrations.RunPython(load, unload)]
