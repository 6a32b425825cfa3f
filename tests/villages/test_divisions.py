"""The real divisions of Sichuan, loaded by migration villages/0002."""

from villages.models import Region


def test_province_has_21_prefectures_and_183_counties(db):
    assert Region.objects.filter(level=Region.Level.PROVINCE).count() == 1
    assert Region.objects.filter(level=Region.Level.PREFECTURE).count() == 21
    assert Region.objects.filter(level=Region.Level.COUNTY).count() == 183


def test_liangshan_has_17_counties_all_flagged_liangshan(db):
    liangshan = Region.objects.get(code="513400")
    counties = Region.objects.filter(
        level=Region.Level.COUNTY, path__startswith=liangshan.path
    )
    assert counties.count() == 17
    assert all(c.is_liangshan for c in counties)
    assert not Region.objects.get(code="513201").is_liangshan  # 马尔康市, 阿坝州


def test_descendants_are_one_prefix_query(db, django_assert_num_queries):
    ganzi = Region.objects.get(code="513300")
    with django_assert_num_queries(1):
        names = list(
            Region.objects.filter(
                path__startswith=ganzi.path, level="county"
            ).values_list("name", flat=True)
        )
    assert len(names) == 18 and "石渠县" in names


def test_the_two_shizhong_districts_are_told_apart(db):
    neijiang, leshan = Region.objects.filter(name="市中区").order_by("code")
    assert (neijiang.code, leshan.code) == ("511002", "511102")
    assert neijiang.parent.name == "内江市" and leshan.parent.name == "乐山市"
    assert neijiang.full_name == "内江市市中区" and leshan.full_name == "乐山市市中区"
    assert not neijiang.path.startswith(leshan.parent.path)


def test_county_attributes_for_the_rules(db):
    zhaojue = Region.objects.get(code="513431")
    assert zhaojue.deep_poverty and zhaojue.poor_county and zhaojue.ethnic_area == "yi"
    shiqu = Region.objects.get(code="513332")
    assert shiqu.ethnic_area == "tibetan" and shiqu.hardship_class >= 3
    jinjiang = Region.objects.get(code="510104")
    assert (
        not jinjiang.deep_poverty
        and jinjiang.ethnic_area == ""
        and jinjiang.hardship_class == 0
    )
    assert Region.objects.filter(level="county", deep_poverty=True).count() == 45


def test_every_path_is_its_parent_path_plus_its_code(db):
    for region in Region.objects.select_related("parent"):
        expected = (region.parent.path if region.parent else "") + region.code + "/"
        assert region.path == expected
