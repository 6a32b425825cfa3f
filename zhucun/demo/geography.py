"""Townships, villages and households on the real prefectures and counties."""

import random
from collections import Counter

from villages.models import Household, Region, Village

from . import names
from .plan import County, Prefecture, Township
from .plan import Village as VillagePlan
from .store import Store

# The province's registered poor villages (建档立卡贫困村): the demo's default size.
FULL_SIZE = 11501

PREFECTURE_SHORT = {"513200": "阿坝州", "513300": "甘孜州", "513400": "凉山州"}

# Extremely poor villages (极度贫困村): 188 of the province's 11,501, all in Liangshan.
EXTREMELY_POOR_SHARE = 188 / FULL_SIZE

VILLAGE_COLUMNS = (
    "township_id county_id name code is_registered_poor is_extremely_poor "
    "drug_aids over_birth_dropout planned_exit_year actual_exit_year "
    "household_count county_leader"
)
COUNTY_LEADER_POSTS = ("县委书记", "县长", "县委副书记", "常务副县长", "副县长")
COUNTY_LEADER_POSTS += (
    "县委常委、组织部长",
    "县委常委、宣传部长",
    "县人大常委会副主任",
)
COUNTY_LEADER_POSTS += ("县政协副主席",)


def load_divisions() -> tuple[list[Prefecture], list[County]]:
    """The prefectures and counties the migration loaded, as plain objects."""
    prefectures = {
        r.id: Prefecture(
            id=r.id,
            code=r.code,
            name=r.name,
            short=PREFECTURE_SHORT.get(r.code, r.name),
        )
        for r in Region.objects.filter(level=Region.Level.PREFECTURE).order_by("code")
    }
    rows = list(Region.objects.filter(level=Region.Level.COUNTY).order_by("code"))
    repeated = {n for n, c in Counter(r.name for r in rows).items() if c > 1}
    counties = []
    for r in rows:
        prefecture = prefectures[r.parent_id]
        label = prefecture.short + r.name if r.name in repeated else r.name
        county = County(
            id=r.id,
            code=r.code,
            name=r.name,
            label=label,
            path=r.path,
            prefecture=prefecture,
            deep_poverty=r.deep_poverty,
            poor=r.poor_county,
            ethnic_area=r.ethnic_area,
            hardship_class=r.hardship_class,
        )
        prefecture.counties.append(county)
        counties.append(county)
    return list(prefectures.values()), counties


def _weight(county: County) -> float:
    """How many poor villages a county has, relatively (deep-poverty areas most)."""
    if county.is_liangshan:
        return 140 if county.deep_poverty else 70
    if county.code.startswith("5133"):
        return 75
    if county.code.startswith("5132"):
        return 45
    if county.deep_poverty:
        return 110
    if county.name.endswith("区"):
        return 4 if county.code.startswith("5101") else 25
    return 60


def apportion(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders)."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (counts[i] - exact[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _exit_years(county: County, rng: random.Random) -> int:
    if county.is_liangshan:
        weights = (10, 25, 35, 30)
    elif county.deep_poverty:
        weights = (20, 35, 35, 10)
    else:
        weights = (40, 35, 20, 5)
    return rng.choices((2017, 2018, 2019, 2020), weights)[0]


def plan_geography(
    store: Store, rng: random.Random, counties: list[County], total: int
) -> list[VillagePlan]:
    """Write townships; plan villages (written later, once the cases are cast)."""
    namer = names.Namer(rng)
    townships = store.table(
        Region,
        "code name level parent_id path deep_poverty poor_county ethnic_area "
        "hardship_class",
    )
    weights = [_weight(c) for c in counties]
    if total >= 4 * len(counties):
        # Every county has some poor villages at full size.
        counts = [1 + n for n in apportion(total - len(counties), weights)]
    else:
        counts = apportion(total, weights)
    villages: list[VillagePlan] = []
    village_rows = store.table(Village, VILLAGE_COLUMNS)
    for county, count in zip(counties, counts, strict=True):
        culture = names.culture_of(county.code)
        n_townships = min(20, max(5, round(count / 9) + rng.randint(-1, 2)))
        n_towns = max(1, round(n_townships * rng.uniform(0.3, 0.6)))
        taken: set[str] = set()
        for i in range(n_townships):
            is_town = i < n_towns
            code = f"{county.code}{(100 + i) if is_town else (200 + i - n_towns):03d}"
            name = namer.place(culture, taken, ("镇",) if is_town else ("乡",))
            pk = townships.add(
                code,
                name,
                Region.Level.TOWNSHIP,
                county.id,
                Region.build_path(county.path, code),
                False,
                False,
                "",
                0,
            )
            county.townships.append(Township(pk, code, name, county))
        leaders = [
            f"{namer.person('han', 'M')}（{post}）"
            for post in rng.sample(COUNTY_LEADER_POSTS, rng.randint(4, 8))
        ]
        order = list(county.townships)
        rng.shuffle(order)
        per_township = Counter()
        village_names: set[str] = set()
        for i in range(count):
            township = order[i % len(order)]
            per_township[township.id] += 1
            code = f"{township.code}{199 + per_township[township.id]:03d}"
            planned = _exit_years(county, rng)
            early = planned > 2017 and rng.random() < 0.06
            village = VillagePlan(
                id=village_rows.reserve(),
                code=code,
                name=namer.place(culture, village_names, ("村",)),
                township=township,
                county=county,
                drug_aids=rng.random() < (0.15 if county.is_liangshan else 0.005),
                over_birth_dropout=rng.random()
                < (0.2 if county.is_liangshan else 0.01),
                planned_exit_year=planned,
                actual_exit_year=planned - 1 if early else planned,
                county_leader=rng.choice(leaders),
            )
            county.villages.append(village)
            villages.append(village)
    _mark_extremely_poor(villages, rng, total)
    return villages


def _mark_extremely_poor(villages: list[VillagePlan], rng, total: int) -> None:
    liangshan = [v for v in villages if v.county.is_liangshan and v.county.deep_poverty]
    count = min(len(liangshan), max(1, round(total * EXTREMELY_POOR_SHARE)))
    for village in rng.sample(liangshan, count):
        village.is_extremely_poor = True
        # The hardest villages were the last to exit.
        village.planned_exit_year = village.actual_exit_year = 2020


def write_villages(
    store: Store, rng: random.Random, villages: list[VillagePlan]
) -> None:
    """Write the villages and, for each, 20–60 households (at least one 必访户)."""
    namer = names.Namer(rng)
    village_rows = store.table(Village, VILLAGE_COLUMNS)
    households = store.table(
        Household,
        "village_id head_name member_count is_party_member_family "
        "is_hardship_family has_critical_patient is_empty_nest_or_left_behind",
    )
    for village in villages:
        culture = names.culture_of(village.county.code)
        count = rng.randint(20, 60)
        forced_priority = rng.randrange(count)
        for i in range(count):
            flags = [
                rng.random() < 0.05,
                rng.random() < 0.06,
                rng.random() < 0.02,
                rng.random() < 0.05,
            ]
            if i == forced_priority and not any(flags):
                flags[0] = True
            gender = "M" if rng.random() < 0.85 else "F"
            pk = households.add(
                village.id,
                namer.person(culture, gender),
                rng.choices((1, 2, 3, 4, 5, 6, 7), (6, 14, 22, 24, 18, 10, 6))[0],
                *flags,
            )
            village.households.append((pk, any(flags)))
        village_rows.put(
            village.id,
            village.township.id,
            village.county.id,
            village.name,
            village.code,
            True,
            village.is_extremely_poor,
            village.drug_aids,
            village.over_birth_dropout,
            village.planned_exit_year,
            village.actual_exit_year,
            count,
            village.county_leader,
        )
