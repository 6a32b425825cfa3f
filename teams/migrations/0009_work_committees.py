"""The province's work committees (机关工委) exist from the first ``migrate``.

省直机关工委 and one committee for each of the 21 prefectures (成都市直机关工委,
凉山州直机关工委 …), on the real divisions loaded by villages' 0002. A 派出单位
workbook can then name them on a fresh install. County committees are created by
the workbook that first names one (see ``teams.resources.units``).
"""

from django.db import migrations

PROVINCE_COMMITTEE = "省直机关工委"
SUFFIX = "直机关工委"


def _short(name: str) -> str:
    # 凉山彝族自治州 → 凉山州, as villages.places.short_prefecture_name (a migration
    # keeps its own copy: it must not change when the app's code does).
    if name.endswith("自治州") and len(name) > 2:
        return name[:2] + "州"
    return name


def load(apps, schema_editor):
    Region = apps.get_model("villages", "Region")
    WorkCommittee = apps.get_model("teams", "WorkCommittee")
    province = Region.objects.filter(level="province").first()
    if province is None:
        return
    WorkCommittee.objects.get_or_create(
        name=PROVINCE_COMMITTEE, defaults={"level": "province", "region": province}
    )
    for prefecture in Region.objects.filter(level="prefecture").order_by("code"):
        WorkCommittee.objects.get_or_create(
            name=f"{_short(prefecture.name)}{SUFFIX}",
            defaults={"level": "prefecture", "region": prefecture},
        )


def unload(apps, schema_editor):
    """Remove the committees this migration made, unless units or users use them."""
    WorkCommittee = apps.get_model("teams", "WorkCommittee")
    Unit = apps.get_model("teams", "Unit")
    UserScope = apps.get_model("zhucun", "UserScope")
    names = [PROVINCE_COMMITTEE] + [
        f"{_short(r.name)}{SUFFIX}"
        for r in apps.get_model("villages", "Region").objects.filter(level="prefecture")
    ]
    used = set(Unit.objects.values_list("work_committee_id", flat=True))
    used |= set(UserScope.objects.values_list("work_committee_id", flat=True))
    WorkCommittee.objects.filter(name__in=names).exclude(pk__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("teams", "0008_person_phone_rule"),
        ("villages", "0002_load_divisions"),
        ("zhucun", "0002_user_scope"),
    ]
    operations = [migrations.RunPython(load, unload)]
