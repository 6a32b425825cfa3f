"""Find prefectures, counties, townships and villages by the names a workbook gives.

A county is always looked up *under its prefecture*: 内江市 and 乐山市 each have a
市中区, and a name alone would put a village in the wrong one. Prefectures may be
written in their short form (凉山州 for 凉山彝族自治州). Everything is loaded in a
few queries up front; lookups are then dictionary reads.
"""

from collections.abc import Iterable
from functools import cached_property

from django.utils.translation import gettext as _

from villages.models import Region, Village
from zhucun.workbooks.results import Row
from zhucun.workbooks.values import CellError, fold

Level = Region.Level


def _chunks(items: list, size: int = 900) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def short_prefecture_name(name: str) -> str:
    """凉山彝族自治州 → 凉山州 (how people usually write the autonomous prefectures)."""
    if name.endswith("自治州") and len(name) > 2:
        return name[:2] + "州"
    return name


class PlaceIndex:
    """Prefectures and counties of the province; townships and villages on demand."""

    def __init__(self):
        self.by_id: dict[int, Region] = {}
        self.prefectures: dict[str, Region] = {}
        self.counties: dict[tuple[int, str], Region] = {}
        self.counties_by_name: dict[str, list[Region]] = {}
        self.province: Region | None = None
        for region in Region.objects.exclude(level=Level.TOWNSHIP).only(
            "id", "code", "name", "level", "parent_id", "path"
        ):
            self.by_id[region.pk] = region
            if region.level == Level.PROVINCE:
                self.province = region
            elif region.level == Level.PREFECTURE:
                self.prefectures[fold(region.name)] = region
                self.prefectures.setdefault(
                    fold(short_prefecture_name(region.name)), region
                )
            elif region.level == Level.COUNTY:
                self.counties[(region.parent_id, fold(region.name))] = region
                self.counties_by_name.setdefault(fold(region.name), []).append(region)
        self.townships: dict[tuple[int, str], Region] = {}
        self._townships_loaded: set[int] = set()
        self.villages_by_place: dict[tuple[int, str], Village] = {}
        self.villages_by_code: dict[str, Village] = {}

    # --- regions --------------------------------------------------------------
    def prefecture(self, name) -> Region:
        found = self.prefectures.get(fold(name))
        if found is None:
            raise CellError(_("没有名为“%(name)s”的市（州）。") % {"name": name})
        return found

    def county(self, prefecture: Region, name) -> Region:
        found = self.counties.get((prefecture.pk, fold(name)))
        if found is None:
            raise CellError(
                _("%(prefecture)s没有名为“%(name)s”的县（市、区）。")
                % {"prefecture": prefecture.name, "name": name}
            )
        return found

    def county_anywhere(self, text) -> Region:
        """A county written as "市（州）/县", "市（州）县" or, when unique, "县" alone."""
        region = self.region_path(text)
        if region is not None and region.level == Level.COUNTY:
            return region
        candidates = self.counties_by_name.get(fold(text), [])
        if len(candidates) == 1:
            return candidates[0]
        if len(candidates) > 1:
            raise CellError(
                _("“%(name)s”在%(places)s都有，请写成“市（州）/县（市、区）”。")
                % {
                    "name": text,
                    "places": "、".join(
                        self.by_id[c.parent_id].name for c in candidates
                    ),
                }
            )
        raise CellError(_("没有名为“%(name)s”的县（市、区）。") % {"name": text})

    def region_path(self, text) -> Region | None:
        """四川省, a prefecture, or a prefecture and county ("乐山市/市中区")."""
        key = fold(text)
        if self.province is not None and key == fold(self.province.name):
            return self.province
        parts = [p for p in key.replace("／", "/").replace("-", "/").split("/") if p]
        if len(parts) == 1:
            found = self.prefectures.get(parts[0])
            if found is not None:
                return found
            # "乐山市市中区": a prefecture name followed by a county name.
            for pref_key, prefecture in self.prefectures.items():
                if key.startswith(pref_key) and len(key) > len(pref_key):
                    county = self.counties.get((prefecture.pk, key[len(pref_key) :]))
                    if county is not None:
                        return county
            return None
        if len(parts) == 2:
            prefecture = self.prefectures.get(parts[0])
            if prefecture is None:
                return None
            return self.counties.get((prefecture.pk, parts[1]))
        return None

    def label(self, region: Region) -> str:
        """How a region is written back in a workbook cell (the inverse of region_path)."""
        if region.level == Level.COUNTY:
            return f"{self.by_id[region.parent_id].name}/{region.name}"
        return region.name

    # --- townships --------------------------------------------------------------
    def load_townships(self, county_ids: Iterable[int]) -> None:
        wanted = [pk for pk in set(county_ids) if pk not in self._townships_loaded]
        for chunk in _chunks(wanted):
            for township in Region.objects.filter(
                parent_id__in=chunk, level=Level.TOWNSHIP
            ).only("id", "code", "name", "level", "parent_id", "path"):
                self.townships[(township.parent_id, fold(township.name))] = township
                self.by_id[township.pk] = township
        self._townships_loaded.update(wanted)

    def township(self, county: Region, name) -> Region | None:
        return self.townships.get((county.pk, fold(name)))

    # --- villages ---------------------------------------------------------------
    def load_villages(
        self, township_ids: Iterable[int], codes: Iterable[str] = (), full=False
    ) -> None:
        """Villages of these townships (and any with these codes), by name and code.

        ``full`` loads every field (the village roster compares them); otherwise
        only what placing a row needs.
        """
        villages = Village.objects.all()
        if not full:
            villages = villages.only("id", "name", "code", "township_id", "county_id")
        for chunk in _chunks(sorted(set(township_ids))):
            for village in villages.filter(township_id__in=chunk):
                self._add_village(village)
        missing = sorted({c for c in codes if c} - set(self.villages_by_code))
        for chunk in _chunks(missing):
            for village in villages.filter(code__in=chunk):
                self._add_village(village)

    def _add_village(self, village: Village) -> None:
        self.villages_by_place[(village.township_id, fold(village.name))] = village
        if village.code:
            self.villages_by_code[village.code] = village

    def village(self, township: Region, name) -> Village | None:
        return self.villages_by_place.get((township.pk, fold(name)))

    def county_of(self, village: Village) -> Region:
        return self.by_id[village.county_id]


class PlaceLocator:
    """Mixed into an importer whose rows name a place: 市（州） → 县（市、区） → 乡（镇） → 村.

    The importer's ``gate`` (``zhucun.workbooks.importer.ScopeGate``) says which
    places the user may write in.
    """

    @cached_property
    def places(self) -> PlaceIndex:
        return PlaceIndex()

    # --- placing rows: 市（州） → 县（市、区） → 乡（镇） → 村 ------------------------
    def locate_counties(self, rows: Iterable[Row]) -> None:
        """Set ``row.place`` to [county, None, None]; load those counties' townships."""
        places = self.places
        found: dict[tuple, Region | CellError] = {}
        for row in rows:
            if not row.ok:
                continue
            key = (fold(row.data["prefecture"]), fold(row.data["county"]))
            if key not in found:
                found[key] = self._county(row.data["prefecture"], row.data["county"])
            county = found[key]
            if isinstance(county, tuple):
                row.reject(*county)
            else:
                row.place = [county, None, None]
        places.load_townships({row.place[0].pk for row in rows if row.ok and row.place})

    def _county(self, prefecture_name, county_name):
        try:
            prefecture = self.places.prefecture(prefecture_name)
        except CellError as exc:
            return ("市（州）", exc.message)
        try:
            return self.places.county(prefecture, county_name)
        except CellError as exc:
            return ("县（市、区）", exc.message)

    def locate_villages(self, rows: list[Row], *, village_field: str = "village"):
        """Place rows in an existing township and village, within the user's scope."""
        self.locate_counties(rows)
        places = self.places
        for row in rows:
            if not row.ok:
                continue
            county = row.place[0]
            township = places.township(county, row.data["township"])
            if township is None:
                row.reject(
                    "乡（镇）",
                    _("%(county)s没有名为“%(name)s”的乡（镇），请先导入贫困村名册。")
                    % {"county": county.name, "name": row.data["township"]},
                )
                continue
            row.place[1] = township
        places.load_villages({row.place[1].pk for row in rows if row.ok and row.place})
        for row in rows:
            if not row.ok:
                continue
            township = row.place[1]
            village = places.village(township, row.data[village_field])
            if village is None:
                row.reject(
                    "村",
                    _("%(township)s没有名为“%(name)s”的村，请先导入贫困村名册。")
                    % {"township": township.name, "name": row.data[village_field]},
                )
            elif not self.gate.allows_path(township.path):
                row.reject("村", self.gate.refusal(village.name))
            else:
                row.place[2] = village
