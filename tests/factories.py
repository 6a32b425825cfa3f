"""factory_boy factories on the real divisions (loaded by migration)."""

import datetime
import itertools

import factory

from teams.models import Membership, Person, Team, Term, Unit, WorkCommittee
from villages.models import Household, Region, Village
from zhucun.id_numbers import check_digit

_serial = itertools.count(1)


def make_id_number(area: str = "513431", gender: str = "M") -> str:
    """A valid, never-repeated 身份证号码 (birth date and sequence advance together)."""
    n = next(_serial)
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=n // 500)
    seq = (n % 500) * 2 + (1 if gender == "M" else 0)
    body = f"{area}{birth:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def county(code: str) -> Region:
    return Region.objects.get(code=code)


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    parent = factory.LazyFunction(lambda: county("513431"))
    code = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.code}{n % 1000:03d}")
    name = factory.Sequence(lambda n: f"测试乡{n}")
    level = Region.Level.TOWNSHIP
    path = factory.LazyAttribute(lambda o: f"{o.parent.path}{o.code}/")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    county = factory.LazyAttribute(lambda o: o.township.parent)
    name = factory.Sequence(lambda n: f"测试村{n}")
    household_count = 120


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    village = factory.SubFactory(VillageFactory)
    head_name = factory.Sequence(lambda n: f"户主{n}")


class WorkCommitteeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkCommittee
        # 省直机关工委 and the prefectures' committees exist from the migrations.
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试机关工委{n}")
    level = WorkCommittee.Level.PROVINCE
    region = factory.LazyFunction(lambda: Region.objects.get(code="510000"))


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"测试派出单位{n}")
    level = Unit.Level.COUNTY
    unit_type = Unit.Type.PARTY_GOVERNMENT
    region = factory.LazyFunction(lambda: county("513431"))
    staff_count = 40


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    id_number = factory.LazyFunction(make_id_number)
    name = factory.Sequence(lambda n: f"干部{n}")
    # The ID number carries both (GB 11643); an export of factory people must
    # re-import, and the import refuses a birth date or gender the ID contradicts.
    gender = factory.LazyAttribute(
        lambda o: (
            Person.Gender.MALE if int(o.id_number[16]) % 2 else Person.Gender.FEMALE
        )
    )
    birth_date = factory.LazyAttribute(
        lambda o: datetime.date(
            int(o.id_number[6:10]), int(o.id_number[10:12]), int(o.id_number[12:14])
        )
    )
    political_status = Person.PoliticalStatus.CPC
    rank = Person.Rank.SECTION
    unit = factory.SubFactory(UnitFactory)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("name",)

    name = "2018—2020年驻村期"
    start_date = datetime.date(2018, 6, 1)
    end_date = datetime.date(2020, 5, 31)
    in_post_deadline = datetime.date(2018, 6, 30)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    village = factory.SubFactory(VillageFactory)
    term = factory.SubFactory(TermFactory)
    name = factory.LazyAttribute(lambda o: f"{o.village.name}驻村工作队")
    start_date = factory.LazyAttribute(lambda o: o.term.start_date)
    end_date = factory.LazyAttribute(lambda o: o.term.end_date)
    in_post_deadline = factory.LazyAttribute(lambda o: o.term.in_post_deadline)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    team = factory.SubFactory(TeamFactory)
    role = Membership.Role.MEMBER
    unit = factory.LazyAttribute(lambda o: o.person.unit)
    start_date = factory.LazyAttribute(lambda o: o.team.start_date)
    end_date = factory.LazyAttribute(lambda o: o.team.end_date)
    proposed_on = datetime.date(2018, 5, 20)
    reviewed_on = datetime.date(2018, 5, 25)
    appointed_on = datetime.date(2018, 5, 30)
