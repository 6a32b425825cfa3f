"""Target responsibility letters (三): the checklist, its members, the team's progress."""

# ruff: noqa: F811  (the fixtures imported from yearly_factories are redefined as arguments)

import datetime

import pytest
from django.core.exceptions import ValidationError

from assessments.models import TargetItem, TargetLetter
from assessments.services import (
    target_item_add,
    target_item_progress,
    target_letter_create,
)
from compliance.rules import evaluate
from tests.assessments.factories import (
    PENGZHOU,
    TargetItemFactory,
    TargetLetterFactory,
    staffed_team,
)
from tests.assessments.yearly_factories import (  # noqa: F401 (fixtures)
    OTHER,
    clerk,
    today,
    workbook_rows,
)
from tests.factories import MembershipFactory
from zhucun.models import AuditEntry

D = datetime.date
DONE = TargetItem.Status.DONE


def test_clause_3_a_letter_is_signed_and_its_items_assigned(client, clerk):
    """三 清单制、责任制: the letter, its items, each with a member; the rule is satisfied."""
    team, members = staffed_team(PENGZHOU)

    signed = client.post(
        f"/assessments/letters/new/?year=2019&county={PENGZHOU}",
        {"team": team.pk, "signed_on": "2019-02-15"},
    )
    letter = TargetLetter.objects.get()
    added = client.post(
        f"/assessments/letters/{letter.pk}/",
        {"content": "村集体经济年收入达到5万元", "responsible": members[1].pk},
    )

    assert signed.status_code == 302 and added.status_code == 302
    item = letter.items.get()
    assert (item.responsible, item.status) == (members[1], TargetItem.Status.PLANNED)
    assert not [
        f
        for f in evaluate(D(2019, 6, 30), rules=["NO_TARGET_LETTER"])
        if f.object_id == team.pk
    ]
    assert (
        AuditEntry.objects.filter(
            model__in=["assessments.targetletter", "assessments.targetitem"],
            county_code=PENGZHOU,
        ).count()
        == 2
    )


def test_a_second_letter_for_the_year_is_refused(clerk):
    letter = TargetLetterFactory(team=staffed_team(PENGZHOU)[0])
    with pytest.raises(ValidationError) as excinfo:
        target_letter_create(team=letter.team, year=2019, signed_on=D(2019, 3, 1))
    assert "已有2019年目标责任书" in excinfo.value.message_dict["team"][0]


def test_a_letter_for_a_year_the_team_was_not_in_post_is_refused(clerk):
    team, _ = staffed_team(PENGZHOU)  # 2018-06-01 to 2020-05-31
    with pytest.raises(ValidationError) as excinfo:
        target_letter_create(team=team, year=2021, signed_on=D(2021, 2, 1))
    assert "不在驻村期内" in excinfo.value.message_dict["year"][0]
    with pytest.raises(ValidationError) as excinfo:
        target_letter_create(team=team, year=2019, signed_on=D(2018, 12, 1))
    assert "signed_on" in excinfo.value.message_dict


def test_the_responsible_must_be_a_member_of_the_letters_team(clerk):
    team, _ = staffed_team(PENGZHOU)
    _, strangers = staffed_team(PENGZHOU)
    letter = TargetLetterFactory(team=team)
    with pytest.raises(ValidationError) as excinfo:
        target_item_add(letter=letter, content="产业发展", responsible=strangers[1])
    assert excinfo.value.message_dict["responsible"] == [
        "责任人应为该工作队2019年在任的队员。"
    ]


def test_done_needs_evidence(clerk):
    team, members = staffed_team(PENGZHOU)
    item = TargetItemFactory(letter=TargetLetterFactory(team=team))
    with pytest.raises(ValidationError) as excinfo:
        target_item_progress(item=item, status=DONE, evidence="  ")
    assert "evidence" in excinfo.value.message_dict
    target_item_progress(item=item, status=DONE, evidence="验收报告")
    item.refresh_from_db()
    assert (item.status, item.evidence) == (DONE, "验收报告")


def test_the_team_records_progress_on_the_letter_page(client, clerk):
    team, members = staffed_team(PENGZHOU)
    letter = TargetLetterFactory(team=team)
    item = TargetItemFactory(letter=letter, responsible=members[1])

    refused = client.post(
        f"/assessments/letters/{letter.pk}/items/{item.pk}/progress/",
        {f"i{item.pk}-status": DONE, f"i{item.pk}-evidence": ""},
        follow=True,
    )
    saved = client.post(
        f"/assessments/letters/{letter.pk}/items/{item.pk}/progress/",
        {f"i{item.pk}-status": DONE, f"i{item.pk}-evidence": "会议记录、照片"},
    )

    assert "标记为已完成时，请填写佐证材料" in refused.content.decode()
    assert saved.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.evidence) == (DONE, "会议记录、照片")
    entry = AuditEntry.objects.get(model="assessments.targetitem")
    assert entry.changes["status"] == ["planned", "done"]


def test_an_item_is_reassigned_and_removed(client, clerk):
    team, members = staffed_team(PENGZHOU)
    letter = TargetLetterFactory(team=team)
    item = TargetItemFactory(letter=letter, responsible=members[1])
    url = f"/assessments/letters/{letter.pk}/items/{item.pk}/"

    moved = client.post(
        url, {"content": "开办农民夜校4期", "responsible": members[2].pk}
    )
    item.refresh_from_db()
    removed = client.post(url, {"delete": "1"})

    assert moved.status_code == 302
    assert (item.content, item.responsible) == ("开办农民夜校4期", members[2])
    assert removed.status_code == 302
    assert not TargetItem.objects.exists()


def test_teams_without_a_letter_are_listed(client, clerk):
    with_letter, _ = staffed_team(PENGZHOU)
    without, _ = staffed_team(PENGZHOU)
    elsewhere, _ = staffed_team(OTHER)
    TargetLetterFactory(team=with_letter)

    response = client.get("/assessments/letters/missing/", {"year": 2019})

    assert list(response.context["page"]) == [without]
    assert f"team={without.pk}" in response.content.decode()
    rows = workbook_rows(
        client.get("/assessments/letters/missing/", {"year": 2019, "format": "xlsx"})
    )
    assert len(rows) == 3 and without.village.name in rows[2][0]


def test_letter_list_shows_progress_and_unassigned_items(client, clerk):
    team, members = staffed_team(PENGZHOU)
    letter = TargetLetterFactory(team=team)
    TargetItemFactory(
        letter=letter, responsible=members[1], status=DONE, evidence="台账"
    )
    TargetItemFactory(letter=letter, responsible=None)

    response = client.get("/assessments/letters/", {"year": 2019})

    [row] = response.context["page"]
    assert (row.item_count, row.done_count, row.unassigned_count) == (2, 1, 1)
    assert "1项未明确责任人" in response.content.decode()


@pytest.mark.parametrize(
    "url, queries",
    [("/assessments/letters/", 12), ("/assessments/letters/missing/", 12)],
)
def test_letter_lists_query_count_does_not_grow(
    client, clerk, django_assert_num_queries, url, queries
):
    for _ in range(2):
        team, members = staffed_team(PENGZHOU)
        TargetItemFactory(letter=TargetLetterFactory(team=team), responsible=members[1])
        staffed_team(PENGZHOU)
    with django_assert_num_queries(queries):
        client.get(url, {"year": 2019})
    for _ in range(4):
        team, members = staffed_team(PENGZHOU)
        TargetItemFactory(letter=TargetLetterFactory(team=team), responsible=members[1])
        staffed_team(PENGZHOU)
    with django_assert_num_queries(queries):
        response = client.get(url, {"year": 2019})
    assert len(response.context["page"]) == 6


def test_letter_page_query_count_does_not_grow(
    client, clerk, django_assert_num_queries
):
    team, members = staffed_team(PENGZHOU, size=4)
    letter = TargetLetterFactory(team=team)
    for m in members[:2]:
        TargetItemFactory(letter=letter, responsible=m)
    with django_assert_num_queries(12):
        client.get(f"/assessments/letters/{letter.pk}/")
    for m in members:
        TargetItemFactory(letter=letter, responsible=m)
    with django_assert_num_queries(12):
        response = client.get(f"/assessments/letters/{letter.pk}/")
    assert len(response.context["items"]) == 6


def test_another_countys_letters_are_404(client, clerk):
    team, members = staffed_team(OTHER)
    letter = TargetLetterFactory(team=team)
    item = TargetItemFactory(letter=letter, responsible=members[1])

    assert client.get(f"/assessments/letters/{letter.pk}/").status_code == 404
    assert (
        client.get(f"/assessments/letters/{letter.pk}/items/{item.pk}/").status_code
        == 404
    )
    progress = client.post(
        f"/assessments/letters/{letter.pk}/items/{item.pk}/progress/",
        {f"i{item.pk}-status": "in_progress"},
    )
    assert progress.status_code == 404
    assert client.get("/assessments/letters/", {"county": OTHER}).status_code == 404
    assert (
        client.get("/assessments/letters/missing/", {"county": OTHER}).status_code
        == 404
    )
    listed = client.get("/assessments/letters/", {"year": 2019})
    assert list(listed.context["page"]) == []


def test_a_team_of_another_county_cannot_be_given_a_letter(client, clerk):
    there, _ = staffed_team(OTHER)

    response = client.post(
        "/assessments/letters/new/?year=2019",
        {"team": there.pk, "signed_on": "2019-02-15"},
    )

    assert response.status_code == 200
    assert "team" in response.context["form"].errors
    assert not TargetLetter.objects.exists()


def test_a_member_of_another_team_cannot_be_made_responsible_on_the_page(client, clerk):
    team, _ = staffed_team(PENGZHOU)
    _, strangers = staffed_team(OTHER)
    letter = TargetLetterFactory(team=team)

    response = client.post(
        f"/assessments/letters/{letter.pk}/",
        {"content": "产业发展", "responsible": strangers[1].pk},
    )

    assert "responsible" in response.context["form"].errors
    assert not TargetItem.objects.exists()


def test_letter_form_query_count_does_not_grow(
    client, clerk, django_assert_num_queries
):
    for _ in range(2):
        staffed_team(PENGZHOU)
    with django_assert_num_queries(11):
        client.get("/assessments/letters/new/", {"year": 2019})
    for _ in range(4):
        staffed_team(PENGZHOU)
    with django_assert_num_queries(11):
        response = client.get("/assessments/letters/new/", {"year": 2019})
    assert len(response.context["form"].fields["team"].choices) == 6 + 1


def test_letter_form_for_another_countys_team_is_404(client, clerk):
    there, _ = staffed_team(OTHER)
    here, _ = staffed_team(PENGZHOU)
    assert (
        client.get("/assessments/letters/new/", {"team": there.pk}).status_code == 404
    )
    assert client.get("/assessments/letters/new/", {"county": OTHER}).status_code == 404
    opened = client.get("/assessments/letters/new/", {"team": here.pk, "year": 2019})
    assert opened.context["form"].initial == {"team": here.pk}


def test_item_form_query_count_does_not_grow(client, clerk, django_assert_num_queries):
    team, members = staffed_team(PENGZHOU, size=3)
    item = TargetItemFactory(letter=TargetLetterFactory(team=team), responsible=None)
    url = f"/assessments/letters/{item.letter_id}/items/{item.pk}/"
    with django_assert_num_queries(11):
        client.get(url)
    staffed_team(PENGZHOU, size=6)  # another team's members are not offered
    for _ in range(3):
        MembershipFactory(team=team)
    with django_assert_num_queries(11):
        response = client.get(url)
    assert len(response.context["form"].fields["responsible"].choices) == 6 + 1
