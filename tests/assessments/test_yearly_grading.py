"""The grading pages: annual grades under the 20% cap (四(三)), term-end grades, barred units."""

# ruff: noqa: F811  (the fixtures imported from yearly_factories are redefined as arguments)

import datetime
from decimal import Decimal

import pytest

from assessments.models import Assessment
from teams.models import Term
from tests.assessments.factories import (
    FS,
    PENGZHOU,
    AssessmentFactory,
    second_term,
    staffed_team,
)
from tests.assessments.yearly_factories import (  # noqa: F401 (fixtures)
    OTHER,
    clerk,
    county_members,
    other_clerk,
    today,
    workbook_cells,
    workbook_rows,
)
from tests.factories import MembershipFactory
from zhucun.models import AuditEntry

D = datetime.date

URL = "/assessments/grading/"
EXCELLENT = Assessment.Grade.EXCELLENT
COMPETENT = Assessment.Grade.COMPETENT
INCOMPETENT = Assessment.Grade.INCOMPETENT


def _page(client, **params):
    return client.get(URL, {"county": PENGZHOU, "year": 2019, **params})


def _post(client, grades: dict, **params):
    """Post the grading form: {membership: grade or (grade, villager, cadre)}."""
    data = {}
    for membership, value in grades.items():
        grade, villager, cadre = value if isinstance(value, tuple) else (value, "", "")
        data[f"m{membership.pk}-grade"] = grade
        data[f"m{membership.pk}-villager_score"] = villager
        data[f"m{membership.pk}-cadre_score"] = cadre
    query = {"county": PENGZHOU, "year": 2019, **params}
    url = URL + "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, data)


def _excellent(year=2019) -> int:
    return Assessment.objects.filter(
        year=year, grade=EXCELLENT, kind=Assessment.Kind.ANNUAL
    ).count()


@pytest.mark.parametrize("members, cap", [(9, 1), (10, 2), (11, 2)])
def test_clause_4_3_the_page_shows_the_places_under_the_cap(
    client, clerk, members, cap
):
    """四(三) 优秀不超过队员总数的20%（不含第一书记）: floor, first secretaries left out."""
    secretaries, others = county_members(members)
    for secretary in secretaries:  # their 优秀 neither count nor are capped
        AssessmentFactory(membership=secretary, grade=EXCELLENT)
    AssessmentFactory(membership=others[0], grade=EXCELLENT)

    response = _page(client)

    summary = response.context["cap"]
    assert (summary.members, summary.cap, summary.excellent) == (members, cap, 1)
    assert summary.remaining == cap - 1
    body = response.content.decode()
    assert f'id="cap-remaining">{cap - 1}</strong>' in body
    assert "第一书记，不计入优秀名额" in body


@pytest.mark.parametrize("members, cap", [(9, 1), (10, 2), (11, 2)])
def test_clause_4_3_saving_past_the_cap_is_refused_on_its_row(
    client, clerk, members, cap
):
    _, others = county_members(members)
    wanted = others[: cap + 1]

    response = _post(client, dict.fromkeys(wanted, EXCELLENT))

    assert response.status_code == 200  # re-shown with the refusal
    assert _excellent() == cap
    refused = [m for m in wanted if not m.person.assessments.exists()]
    assert len(refused) == 1
    rows = dict((row.membership.pk, form) for row, form in response.context["rows"])
    assert rows[refused[0].pk].errors["grade"] == [
        f"彭州市2019年度优秀名额已满：已评优秀{cap}人，上限{cap}人"
        f"（不含第一书记的队员共{members}人的20%）"
    ]
    body = response.content.decode()
    assert "未保存，请看该行的提示" in body
    assert 'class="row-error"' in body


def test_a_place_given_up_on_the_page_is_taken_in_the_same_save(client, clerk):
    _, others = county_members(5)  # cap 1
    AssessmentFactory(membership=others[0], grade=EXCELLENT)

    response = _post(client, {others[0]: COMPETENT, others[1]: EXCELLENT})

    assert response.status_code == 302
    grades = dict(
        Assessment.objects.filter(year=2019).values_list("person_id", "grade")
    )
    assert grades == {others[0].person_id: COMPETENT, others[1].person_id: EXCELLENT}


def test_first_secretaries_are_graded_excellent_beyond_the_cap(client, clerk):
    secretaries, others = county_members(5)
    response = _post(
        client,
        {**dict.fromkeys(secretaries, EXCELLENT), others[0]: EXCELLENT},
    )
    assert response.status_code == 302
    assert _excellent() == len(secretaries) + 1


def test_scores_are_saved_as_decimals_and_audited(client, clerk):
    _, others = county_members(1)

    response = _post(client, {others[0]: (COMPETENT, "88.50", "90")})

    assert response.status_code == 302
    graded = Assessment.objects.get(person=others[0].person)
    assert graded.villager_score == Decimal("88.50")
    assert graded.cadre_score == Decimal("90.00")
    entry = AuditEntry.objects.get(model="assessments.assessment")
    assert (entry.actor, entry.county_code) == (clerk, PENGZHOU)


def test_unchanged_rows_are_not_written_again(client, clerk):
    _, others = county_members(2)
    AssessmentFactory(membership=others[0], grade=COMPETENT)

    response = _post(client, {others[0]: COMPETENT, others[1]: ""})

    assert response.status_code == 302
    assert not AuditEntry.objects.filter(model="assessments.assessment").exists()


def test_a_score_out_of_range_is_refused_on_its_row(client, clerk):
    _, others = county_members(1)

    response = _post(client, {others[0]: (COMPETENT, "101", "")})

    assert response.status_code == 200
    assert not Assessment.objects.exists()
    rows = {row.membership.pk: form for row, form in response.context["rows"]}
    assert "villager_score" in rows[others[0].pk].errors


def test_every_member_who_served_in_the_year_is_listed_once(client, clerk):
    _team, members = staffed_team(PENGZHOU, size=3)
    later, _ = staffed_team(PENGZHOU, size=3, term=second_term())
    # A member moves mid-2019 to another team of the county: one row, the later team.
    moved = members[2]
    moved.end_date = D(2019, 6, 30)
    moved.save()
    MembershipFactory(person=moved.person, team=later, start_date=D(2019, 7, 1))

    rows = _page(client).context["rows"]

    people = [row.person for row, _form in rows]
    assert len(people) == len(set(people)) == 6
    mover = next(row for row, _f in rows if row.person == moved.person)
    assert mover.membership.team == later


def test_grading_page_query_count_does_not_grow(
    client, clerk, django_assert_num_queries
):
    _, others = county_members(2)
    AssessmentFactory(membership=others[0], grade=EXCELLENT)
    with django_assert_num_queries(16):
        assert _page(client).status_code == 200
    _, more = county_members(6)
    AssessmentFactory(membership=more[0], grade=COMPETENT)
    with django_assert_num_queries(16):
        response = _page(client)
    assert len(response.context["rows"]) == 8 + 3  # members and first secretaries


def test_another_countys_grading_is_404(client, clerk, other_clerk):
    county_members(1, code=OTHER)
    assert _page(client, county=OTHER).status_code == 404
    _, there = county_members(1, code=OTHER)
    assert _post(client, {there[0]: EXCELLENT}, county=OTHER).status_code == 404
    assert not Assessment.objects.exists()


def test_without_a_county_the_province_is_asked_to_choose(client, province_user, today):
    client.force_login(province_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "请选择县（市、区）和年度" in response.content.decode()


def test_the_province_reads_but_cannot_grade(client, province_user, today):
    _, others = county_members(1)
    client.force_login(province_user)
    assert _page(client).status_code == 200
    assert _post(client, {others[0]: EXCELLENT}).status_code == 403


def test_a_unit_sees_only_its_own_members(client, scoped_user, today):
    _, here = county_members(3)
    user = scoped_user("unit", here[0].unit.name)
    client.force_login(user)
    rows = _page(client).context["rows"]
    assert [row.person for row, _f in rows] == [here[0].person]


def test_grading_export_lists_every_row_with_text_kept_as_text(client, clerk):
    _, others = county_members(3)
    person = others[0].person
    person.name = "=HYPERLINK(1)"
    person.save()
    AssessmentFactory(membership=others[0], grade=EXCELLENT, villager_score=91)

    response = _page(client, format="xlsx")

    rows = workbook_rows(response)
    assert rows[0][0] == "彭州市2019年度驻村工作队队员考核"
    assert rows[1][:5] == ("姓名", "驻村职务", "驻村工作队", "派出单位", "考核等次")
    assert len(rows) == 2 + 3 + 1  # title, header, members and the first secretary
    formula = next(c for c in workbook_cells(response) if c.value == "=HYPERLINK(1)")
    assert formula.data_type == "s"
    graded = next(r for r in rows if r[0] == "=HYPERLINK(1)")
    assert graded[4:6] == ("优秀", 91)


# --- 期满考核 ---------------------------------------------------------------------------


def test_term_end_lists_those_serving_in_the_terms_last_year_uncapped(client, clerk):
    _, others = county_members(5)  # 2018—2020 term, ends 2020-05-31
    left = others[4]
    left.end_date = left.start_date.replace(year=2019, month=6, day=30)
    left.save()
    term = Term.objects.get(name="2018—2020年驻村期")

    response = client.get(
        "/assessments/term-end/", {"county": PENGZHOU, "term": term.pk}
    )

    people = {row.person for row, _f in response.context["rows"]}
    assert left.person not in people
    assert response.context["year"] == 2020
    data = {}
    for m in others[:4]:
        data[f"m{m.pk}-grade"] = EXCELLENT
    saved = client.post(
        f"/assessments/term-end/?county={PENGZHOU}&term={term.pk}", data
    )
    assert saved.status_code == 302
    assert (
        Assessment.objects.filter(
            kind=Assessment.Kind.TERM_END, year=2020, grade=EXCELLENT
        ).count()
        == 4
    )


def test_term_end_query_count_does_not_grow(client, clerk, django_assert_num_queries):
    county_members(2)
    term = Term.objects.get(name="2018—2020年驻村期")
    params = {"county": PENGZHOU, "term": term.pk}
    with django_assert_num_queries(15):
        client.get("/assessments/term-end/", params)
    county_members(5)
    with django_assert_num_queries(15):
        client.get("/assessments/term-end/", params)


def test_term_end_of_another_county_is_404(client, clerk):
    county_members(1, code=OTHER)
    assert client.get("/assessments/term-end/", {"county": OTHER}).status_code == 404
    assert client.get("/assessments/term-end/", {"term": 999999}).status_code == 404


# --- units barred from excellence (四(三), 四(四)) ------------------------------------


def test_clause_4_3_a_unit_with_an_incompetent_member_is_listed(client, clerk):
    _, here = county_members(2)
    AssessmentFactory(membership=here[0], grade=INCOMPETENT)
    _, there = county_members(1, code=OTHER)
    AssessmentFactory(membership=there[0], grade=INCOMPETENT)

    response = client.get("/assessments/barred/", {"year": 2019})

    findings = list(response.context["page"])
    assert [f.object_id for f in findings] == [here[0].unit_id]
    assert "不得评先评优" in response.content.decode()
    rows = workbook_rows(
        client.get("/assessments/barred/", {"year": 2019, "format": "xlsx"})
    )
    assert rows[2][0] == here[0].unit.name
    assert len(rows) == 3


def test_barred_list_query_count_does_not_grow(
    client, clerk, django_assert_num_queries
):
    _, here = county_members(2)
    AssessmentFactory(membership=here[0], grade=INCOMPETENT)
    with django_assert_num_queries(14):
        client.get("/assessments/barred/", {"year": 2019})
    _, more = county_members(4)
    for m in more:
        AssessmentFactory(membership=m, grade=INCOMPETENT)
    with django_assert_num_queries(14):
        response = client.get("/assessments/barred/", {"year": 2019})
    assert len(response.context["page"]) == 5


def test_barred_list_of_another_county_is_404(client, clerk):
    assert client.get("/assessments/barred/", {"county": OTHER}).status_code == 404


def test_first_secretary_rows_are_marked(client, clerk):
    secretaries, _ = county_members(1)
    rows = _page(client).context["rows"]
    secretary = next(row for row, _f in rows if row.membership.role == FS)
    assert secretary.person == secretaries[0].person
    assert not secretary.counts_for_cap
