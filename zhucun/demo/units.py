"""Work committees, dispatching units and paired assistance."""

import math
import random

from teams.models import Membership, Pairing, Unit, WorkCommittee
from villages.models import Region

from . import names
from .cases import CaseBook
from .geography import FULL_SIZE
from .plan import County, Prefecture
from .plan import Unit as UnitPlan
from .store import Store

L, T, S = Unit.Level, Unit.Type, Membership.Sector
PROVINCIAL_LEVELS = frozenset(Unit.PROVINCIAL_LEVELS)

PROVINCIAL_DEPTS = (
    ("中共四川省委办公厅", S.OTHER),
    ("中共四川省委组织部", S.OTHER),
    ("中共四川省委宣传部", S.OTHER),
    ("中共四川省委统战部", S.OTHER),
    ("中共四川省委政法委员会", S.JUSTICE),
    ("四川省人民政府办公厅", S.OTHER),
    ("四川省发展和改革委员会", S.OTHER),
    ("四川省经济和信息化厅", S.OTHER),
    ("四川省教育厅", S.EDUCATION),
    ("四川省科学技术厅", S.OTHER),
    ("四川省民族宗教事务委员会", S.OTHER),
    ("四川省公安厅", S.PUBLIC_SECURITY),
    ("四川省民政厅", S.OTHER),
    ("四川省司法厅", S.JUSTICE),
    ("四川省财政厅", S.OTHER),
    ("四川省人力资源和社会保障厅", S.OTHER),
    ("四川省自然资源厅", S.OTHER),
    ("四川省生态环境厅", S.OTHER),
    ("四川省住房和城乡建设厅", S.OTHER),
    ("四川省交通运输厅", S.OTHER),
    ("四川省水利厅", S.OTHER),
    ("四川省农业农村厅", S.AGRICULTURE),
    ("四川省商务厅", S.OTHER),
    ("四川省文化和旅游厅", S.OTHER),
    ("四川省卫生健康委员会", S.HEALTH),
    ("四川省退役军人事务厅", S.OTHER),
    ("四川省应急管理厅", S.OTHER),
    ("四川省审计厅", S.OTHER),
    ("四川省市场监督管理局", S.OTHER),
    ("四川省统计局", S.OTHER),
    ("四川省林业和草原局", S.FORESTRY),
    ("四川省扶贫开发局", S.OTHER),
    ("四川省广播电视局", S.OTHER),
    ("四川省体育局", S.OTHER),
    ("四川省医疗保障局", S.HEALTH),
    ("四川省粮食和物资储备局", S.OTHER),
    ("四川省监狱管理局", S.JUSTICE),
    ("四川省药品监督管理局", S.HEALTH),
    ("四川省机关事务管理局", S.OTHER),
    ("四川省地方金融监督管理局", S.OTHER),
)
AFFILIATE_SUFFIXES = ("信息中心", "机关服务中心", "宣传教育中心", "培训中心")
UNIVERSITIES = (
    "四川农业大学 西华大学 成都理工大学 西南石油大学 四川师范大学 西南科技大学 "
    "成都中医药大学 西南医科大学 川北医学院 成都信息工程大学 四川轻化工大学 "
    "乐山师范学院 西华师范大学 绵阳师范学院 内江师范学院 宜宾学院 四川文理学院 "
    "阿坝师范学院 西昌学院 成都大学"
).split()
HOSPITALS = (
    "四川省人民医院 四川省肿瘤医院 四川省骨科医院 四川省妇幼保健院 "
    "四川省第二中医医院 四川省第四人民医院 四川省精神医学中心 四川省中西医结合医院"
).split()
CENTRAL = (
    ("四川大学", T.UNIVERSITY, S.EDUCATION),
    ("电子科技大学", T.UNIVERSITY, S.EDUCATION),
    ("西南交通大学", T.UNIVERSITY, S.EDUCATION),
    ("西南财经大学", T.UNIVERSITY, S.EDUCATION),
    ("西南民族大学", T.UNIVERSITY, S.EDUCATION),
    ("四川大学华西医院", T.HOSPITAL, S.HEALTH),
    ("国家税务总局四川省税务局", T.PARTY_GOVERNMENT, S.OTHER),
    ("成都海关", T.PARTY_GOVERNMENT, S.OTHER),
    ("国家统计局四川调查总队", T.PARTY_GOVERNMENT, S.OTHER),
    ("四川省气象局", T.INSTITUTION, S.OTHER),
    ("中国科学院成都分院", T.INSTITUTION, S.OTHER),
    ("国网四川省电力公司", T.SOE, S.OTHER),
    ("中国移动通信集团四川有限公司", T.SOE, S.OTHER),
    ("中国电信股份有限公司四川分公司", T.SOE, S.OTHER),
    ("中国联合网络通信有限公司四川省分公司", T.SOE, S.OTHER),
    ("中国石油西南油气田公司", T.SOE, S.OTHER),
    ("中国铁路成都局集团有限公司", T.SOE, S.OTHER),
    ("中国邮政集团有限公司四川省分公司", T.SOE, S.OTHER),
    ("中国烟草总公司四川省公司", T.SOE, S.OTHER),
    ("东方电气集团有限公司", T.SOE, S.OTHER),
)
PROVINCIAL_SOES = (
    "四川发展（控股）有限责任公司 四川省投资集团有限责任公司 "
    "四川省交通投资集团有限责任公司 四川省铁路产业投资集团有限责任公司 "
    "四川省能源投资集团有限责任公司 四川省商业投资集团有限责任公司 "
    "四川省旅游投资集团有限责任公司 四川省水电投资经营集团有限公司 "
    "四川华西集团有限公司 四川省煤炭产业集团有限责任公司 "
    "四川长虹电子控股集团有限公司 四川九洲电器集团有限责任公司 "
    "四川省港航投资集团有限责任公司 四川省盐业集团有限责任公司 "
    "四川出版传媒集团有限公司 四川省国有资产经营投资管理有限责任公司"
).split()
FINANCIAL = (
    ("中国工商银行四川省分行", L.CENTRAL_IN_SICHUAN),
    ("中国农业银行四川省分行", L.CENTRAL_IN_SICHUAN),
    ("中国银行四川省分行", L.CENTRAL_IN_SICHUAN),
    ("中国建设银行四川省分行", L.CENTRAL_IN_SICHUAN),
    ("国家开发银行四川省分行", L.CENTRAL_IN_SICHUAN),
    ("中国农业发展银行四川省分行", L.CENTRAL_IN_SICHUAN),
    ("中国人寿保险股份有限公司四川省分公司", L.CENTRAL_IN_SICHUAN),
    ("四川银行股份有限公司", L.PROVINCIAL_SOE),
    ("四川省农村信用社联合社", L.PROVINCIAL_SOE),
    ("华西证券股份有限公司", L.PROVINCIAL_SOE),
    ("四川金融控股集团有限公司", L.PROVINCIAL_SOE),
    ("四川省农业信贷担保有限公司", L.PROVINCIAL_SOE),
)
# Prefecture-level units: "{short}…"; "中共{short}委…" for party organs.
PREFECTURE_DEPTS = (
    ("中共{}委组织部", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}教育局", T.PARTY_GOVERNMENT, S.EDUCATION),
    ("{}公安局", T.PARTY_GOVERNMENT, S.PUBLIC_SECURITY),
    ("{}农业农村局", T.PARTY_GOVERNMENT, S.AGRICULTURE),
    ("{}卫生健康委员会", T.PARTY_GOVERNMENT, S.HEALTH),
    ("{}司法局", T.PARTY_GOVERNMENT, S.JUSTICE),
    ("{}林业局", T.PARTY_GOVERNMENT, S.FORESTRY),
    ("{}发展和改革委员会", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}第一人民医院", T.HOSPITAL, S.HEALTH),
    ("{}职业技术学院", T.UNIVERSITY, S.EDUCATION),
    ("{}城市建设投资集团有限公司", T.SOE, S.OTHER),
    ("{}商业银行", T.FINANCIAL, S.OTHER),
    ("{}财政局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}交通运输局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}水务局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}民政局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}疾病预防控制中心", T.INSTITUTION, S.HEALTH),
    ("{}农业科学研究院", T.INSTITUTION, S.AGRICULTURE),
    ("{}自然资源和规划局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}住房和城乡建设局", T.PARTY_GOVERNMENT, S.OTHER),
)
# County-level units. The first seven cover every sector Liangshan's extra members
# come from, so that every Liangshan county has them.
COUNTY_DEPTS = (
    ("中共{}委组织部", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}教育局", T.PARTY_GOVERNMENT, S.EDUCATION),
    ("{}农业农村局", T.PARTY_GOVERNMENT, S.AGRICULTURE),
    ("{}卫生健康局", T.PARTY_GOVERNMENT, S.HEALTH),
    ("{}公安局", T.PARTY_GOVERNMENT, S.PUBLIC_SECURITY),
    ("{}林业和草原局", T.PARTY_GOVERNMENT, S.FORESTRY),
    ("{}司法局", T.PARTY_GOVERNMENT, S.JUSTICE),
    ("{}发展和改革局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}人民医院", T.HOSPITAL, S.HEALTH),
    ("{}财政局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}交通运输局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}水务局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}自然资源局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}住房和城乡建设局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}民政局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}人力资源和社会保障局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}扶贫开发局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}疾病预防控制中心", T.INSTITUTION, S.HEALTH),
    ("{}农村信用合作联社", T.FINANCIAL, S.OTHER),
    ("{}国有资产投资经营有限公司", T.SOE, S.OTHER),
    ("{}中医医院", T.HOSPITAL, S.HEALTH),
    ("{}职业中学", T.INSTITUTION, S.EDUCATION),
    ("{}农业技术推广中心", T.INSTITUTION, S.AGRICULTURE),
    ("{}市场监督管理局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}文化广播电视和旅游局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}经济和信息化局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}退役军人事务局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}应急管理局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}统计局", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}审计局", T.PARTY_GOVERNMENT, S.OTHER),
    ("中共{}委宣传部", T.PARTY_GOVERNMENT, S.OTHER),
    ("中共{}委统战部", T.PARTY_GOVERNMENT, S.OTHER),
    ("中共{}纪律检查委员会", T.PARTY_GOVERNMENT, S.OTHER),
    ("{}人民法院", T.PARTY_GOVERNMENT, S.JUSTICE),
    ("{}人民检察院", T.PARTY_GOVERNMENT, S.JUSTICE),
    ("{}畜牧兽医局", T.PARTY_GOVERNMENT, S.AGRICULTURE),
    ("{}第一中学", T.INSTITUTION, S.EDUCATION),
    ("{}妇幼保健院", T.HOSPITAL, S.HEALTH),
    ("{}供销合作社联合社", T.INSTITUTION, S.OTHER),
    ("{}住房公积金管理中心", T.INSTITUTION, S.OTHER),
    ("{}水利电力有限公司", T.SOE, S.OTHER),
    ("{}交通建设投资有限公司", T.SOE, S.OTHER),
    ("{}林业局国有林场", T.INSTITUTION, S.FORESTRY),
    ("{}司法局法律援助中心", T.INSTITUTION, S.JUSTICE),
    ("{}公安局交通警察大队", T.PARTY_GOVERNMENT, S.PUBLIC_SECURITY),
)
LIANGSHAN_SECTOR_DEPTS = 7

# Prefectures whose counties carry the paired assistance of 二(二) (7个市35个县).
ASSISTING_PREFECTURES = ("510100", "510300", "510500", "510600", "510700", "510900")
ASSISTING_PREFECTURES += ("511000",)
PAIRINGS = 30

# Share of the members a prefecture's own units send into its counties.
PREFECTURE_SHARE = 0.08
AVERAGE_TEAM = 4.3


def quota_for(staff: int) -> int:
    """二(一): ≥100 staff → 4, 51–99 → 2, ≤50 → 1 (see rules.md "Decisions")."""
    return 4 if staff >= 100 else 2 if staff >= 51 else 1


def provides_provincial_funds(county: County, hardship: int = 3) -> bool:
    """五(二): poor counties of ethnic areas of hardship class 3+ get provincial funds."""
    return (
        bool(county.ethnic_area) and county.poor and county.hardship_class >= hardship
    )


class UnitPlanner:
    """Builds the committees, units and pairings; writes units after staffing."""

    def __init__(self, store: Store, rng: random.Random, cases: CaseBook, total: int):
        self.store = store
        self.rng = rng
        self.namer = names.Namer(rng)
        self.cases = cases
        self.scale = total / FULL_SIZE
        self.units: list[UnitPlan] = []
        self.pairings: list[tuple[County, County, int]] = []
        self.table = store.table(
            Unit,
            "name level unit_type region_id staff_count work_committee_id "
            "fixed_point_county_id deep_poverty_link_county_id principal_head",
        )
        self.committees: dict[str, int] = {}

    # --- work committees -------------------------------------------------
    def plan_committees(
        self, province: Region, prefectures: list[Prefecture], counties: list[County]
    ) -> None:
        table = self.store.table(WorkCommittee, "name level region_id")
        self.committees[province.code] = table.add(
            "中共四川省直属机关工作委员会", WorkCommittee.Level.PROVINCE, province.id
        )
        for prefecture in prefectures:
            self.committees[prefecture.code] = table.add(
                f"中共{prefecture.short}直属机关工作委员会",
                WorkCommittee.Level.PREFECTURE,
                prefecture.id,
            )
        with_villages = [c for c in counties if c.villages]
        for county in self.rng.sample(with_villages, min(8, len(with_villages))):
            self.committees[county.code] = table.add(
                f"中共{county.label}直属机关工作委员会",
                WorkCommittee.Level.COUNTY,
                county.id,
            )

    def _committee_for(self, county: County | None, prefecture: Prefecture | None):
        if county is not None and county.code in self.committees:
            return self.committees[county.code]
        if prefecture is not None:
            return self.committees[prefecture.code]
        return self.committees["510000"]

    def _unit(
        self,
        name: str,
        level: str,
        unit_type: str,
        sector: str,
        region_id: int,
        *,
        county: County | None = None,
        prefecture: Prefecture | None = None,
        staff: int = 0,
    ) -> UnitPlan:
        unit = UnitPlan(
            id=self.table.reserve(),
            name=name,
            level=level,
            unit_type=unit_type,
            sector=sector,
            county=county,
            prefecture=prefecture,
            region_id=region_id,
            staff_count=staff,
            work_committee_id=self._committee_for(county, prefecture),
            principal_head=self.namer.person("han", "M"),
        )
        self.units.append(unit)
        return unit

    # --- provincial units ------------------------------------------------
    def _take(self, items: tuple | list) -> list:
        """A scaled, order-keeping subset of a template list (at least two)."""
        count = min(len(items), max(2, round(len(items) * self.scale)))
        keep = sorted(self.rng.sample(range(len(items)), count))
        return [items[i] for i in keep]

    def plan_provincial(self, province: Region, deep_counties: list[County]) -> None:
        rng = self.rng
        specs = [
            (n, L.PROVINCIAL_DEPT, T.PARTY_GOVERNMENT, s) for n, s in PROVINCIAL_DEPTS
        ]
        specs = self._take(specs)
        affiliates = [
            (n + suffix, L.PROVINCIAL_AFFILIATE, T.INSTITUTION, s)
            for n, s in PROVINCIAL_DEPTS
            for suffix in rng.sample(AFFILIATE_SUFFIXES, 2)
        ]
        specs += self._take(affiliates)
        specs += self._take(
            [
                (n, L.PROVINCIAL_AFFILIATE, T.UNIVERSITY, S.EDUCATION)
                for n in UNIVERSITIES
            ]
        )
        specs += self._take(
            [(n, L.PROVINCIAL_AFFILIATE, T.HOSPITAL, S.HEALTH) for n in HOSPITALS]
        )
        specs += self._take([(n, L.CENTRAL_IN_SICHUAN, t, s) for n, t, s in CENTRAL])
        specs += self._take(
            [(n, L.PROVINCIAL_SOE, T.SOE, S.OTHER) for n in PROVINCIAL_SOES]
        )
        specs += self._take([(n, lv, T.FINANCIAL, S.OTHER) for n, lv in FINANCIAL])
        units = []
        for name, level, unit_type, sector in specs:
            band = rng.choices(("small", "middle", "large"), (30, 35, 35))[0]
            staff = {
                "small": rng.randint(15, 50),
                "middle": rng.randint(51, 99),
                "large": rng.randint(100, 600),
            }[band]
            units.append(
                self._unit(name, level, unit_type, sector, province.id, staff=staff)
            )
        # The quota's boundaries, each met: 50 → 1, 51 → 2, 99 → 2, 100 → 4.
        for unit, staff in zip(rng.sample(units, 4), (50, 51, 99, 100), strict=True):
            unit.staff_count = staff
        for unit in units:
            unit.target = quota_for(unit.staff_count) + rng.choice((0, 0, 1, 2))
            if deep_counties and rng.random() < 0.6:
                unit.fixed_point_county = rng.choice(deep_counties)
        # 2017's new links to deep-poverty counties (二(二)): 省直部门, 高等学校, 医院,
        # 国有企业 and 金融机构, one per county.
        eligible = [
            u
            for u in units
            if u.level == L.PROVINCIAL_DEPT
            or u.unit_type in (T.UNIVERSITY, T.HOSPITAL, T.SOE, T.FINANCIAL)
        ]
        linked = rng.sample(eligible, min(len(eligible), len(deep_counties)))
        for unit, county in zip(
            linked, rng.sample(deep_counties, len(linked)), strict=True
        ):
            unit.deep_poverty_link_county = county
        unsent = rng.choice(linked)
        self.cases.note(
            "DEEP_POVERTY_LINK_UNSENT",
            f"单位 {unsent.name}（联系{unsent.deep_poverty_link_county.label}）",
        )
        self.link_unsent = unsent
        short = rng.choice(
            [u for u in units if u.staff_count >= 100 and u is not unsent]
        )
        short.target = 1
        self.cases.note(
            "UNIT_QUOTA_SHORT", f"单位 {short.name}（在编在岗{short.staff_count}人）"
        )

    # --- prefecture and county units ------------------------------------
    def plan_local(self, prefectures: list[Prefecture], counties: list[County]) -> None:
        rng = self.rng
        for prefecture in prefectures:
            villages = sum(len(c.villages) for c in prefecture.counties)
            load = villages * AVERAGE_TEAM * PREFECTURE_SHARE
            count = min(len(PREFECTURE_DEPTS), max(3, math.ceil(load / 10)))
            for pattern, unit_type, sector in PREFECTURE_DEPTS[:count]:
                unit = self._unit(
                    pattern.format(prefecture.short),
                    L.PREFECTURE,
                    unit_type,
                    sector,
                    prefecture.id,
                    prefecture=prefecture,
                    staff=rng.randint(30, 400),
                )
                prefecture.units.append(unit)
        pairing_load = {a.id: need for a, _, need in self.pairings}
        for county in counties:
            load = len(county.villages) * AVERAGE_TEAM * 0.85
            load += pairing_load.get(county.id, 0)
            if not load:
                continue  # no poor villages and no paired county: nobody to send
            least = LIANGSHAN_SECTOR_DEPTS if county.is_liangshan else 3
            count = min(len(COUNTY_DEPTS), max(least, math.ceil(load / 12)))
            for pattern, unit_type, sector in COUNTY_DEPTS[:count]:
                unit = self._unit(
                    pattern.format(county.label),
                    L.COUNTY,
                    unit_type,
                    sector,
                    county.id,
                    county=county,
                    prefecture=county.prefecture,
                    staff=rng.randint(20, 300),
                )
                county.units.append(unit)

    def township_units(self, county: County, count: int) -> list[UnitPlan]:
        """Township governments: below county level (for the late-exit case)."""
        # Unit.Level has no township level yet: such a unit sits in a township
        # region; it takes the township level as soon as the model offers one.
        level = getattr(L, "TOWNSHIP", L.COUNTY)
        return [
            self._unit(
                f"{county.label}{township.name}人民政府",
                level,
                T.PARTY_GOVERNMENT,
                S.OTHER,
                township.id,
                county=county,
                prefecture=county.prefecture,
                staff=self.rng.randint(20, 45),
            )
            for township in county.townships[:count]
        ]

    # --- pairings ----------------------------------------------------------
    def plan_pairings(self, counties: list[County]) -> None:
        """~30 assisting counties, each paired with a Tibetan/Yi deep-poverty county."""
        rng = self.rng
        assisted = [
            c for c in counties if c.deep_poverty and c.ethnic_area and c.villages
        ]
        assisting = [
            c
            for c in counties
            if c.prefecture.code in ASSISTING_PREFECTURES
            and not c.deep_poverty
            and not c.ethnic_area
        ]
        count = min(PAIRINGS, len(assisted), len(assisting))
        table = self.store.table(Pairing, "assisting_county_id assisted_county_id")
        pairs = zip(
            rng.sample(assisting, count),
            sorted(rng.sample(assisted, count), key=lambda c: c.code),
            strict=True,
        )
        for helper, helped in pairs:
            need = math.ceil(0.3 * len(helped.villages))
            table.add(helper.id, helped.id)
            self.pairings.append((helper, helped, need + rng.choice((0, 1, 1, 2))))
        index = rng.randrange(len(self.pairings))
        helper, helped, _ = self.pairings[index]
        need = math.ceil(0.3 * len(helped.villages))
        self.pairings[index] = (helper, helped, need - 1 - need // 3)
        self.cases.note(
            "PAIRING_QUOTA_SHORT",
            f"对口帮扶 {helper.label} → {helped.label}"
            f"（受援县{len(helped.villages)}个贫困村，应选派不少于{need}人）",
        )

    # --- writing -----------------------------------------------------------
    def write(self) -> None:
        """Write the units; staff counts grow to at least three times those sent."""
        for u in self.units:
            staff = u.staff_count
            if u.level not in PROVINCIAL_LEVELS:
                staff = max(staff, 3 * u.sent)
            self.table.put(
                u.id,
                u.name,
                u.level,
                u.unit_type,
                u.region_id,
                staff,
                u.work_committee_id,
                u.fixed_point_county.id if u.fixed_point_county else None,
                u.deep_poverty_link_county.id if u.deep_poverty_link_county else None,
                u.principal_head,
            )
