"""Target responsibility letters (三), their items and the teams without one."""

from collections.abc import Mapping
from typing import Any

import django_filters
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from assessments.models import TargetItem, TargetLetter
from teams.models import Membership, Team
from villages.filters import RegionFilter
from villages.models import Region
from zhucun import clock
from zhucun.access import scoped
from zhucun.api_filters import IdFilter, StrictFilterSet
from zhucun.periods import year_bounds
from zhucun.queries import overlapping


class TargetLetterFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="team__village__township__path")
    year = django_filters.NumberFilter(label=_("年度。"))
    team = IdFilter(field_name="team", label=_("驻村工作队的 id。"))

    class Meta:
        model = TargetLetter
        fields = ["region", "year", "team"]


def _letters(*, user) -> QuerySet[TargetLetter]:
    done = Q(items__status=TargetItem.Status.DONE)
    return (
        scoped(
            user,
            TargetLetter.objects.select_related(
                "team__village__township", "team__village__county"
            ),
        )
        .annotate(
            item_count=Count("items"),
            done_count=Count("items", filter=done),
            unassigned_count=Count("items", filter=Q(items__responsible__isnull=True)),
        )
        .order_by("-year", "team__village__county__code", "team__village__name", "id")
    )


def target_letter_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[TargetLetter]:
    """Letters with their item counts, latest year first."""
    return TargetLetterFilterSet.apply(filters, _letters(user=user), user=user)


def target_letter_get(*, user, pk: int) -> TargetLetter:
    """One letter; raises TargetLetter.DoesNotExist."""
    return _letters(user=user).get(pk=pk)


def target_items_of(letter: TargetLetter) -> QuerySet[TargetItem]:
    """A letter's checklist, in order, with the responsible members."""
    return letter.items.select_related("responsible__person").order_by("id")


def letter_members(letter: TargetLetter) -> QuerySet[Membership]:
    """The team's members who served in the letter's year (the 责任人 to choose)."""
    first, last = year_bounds(letter.year)
    return (
        Membership.objects.filter(overlapping(first, last), team_id=letter.team_id)
        .select_related("person")
        .order_by("role", "person__name", "id")
    )


def teams_without_letter(
    *, user, year: int, county: Region | None = None
) -> QuerySet[Team]:
    """Teams in post in ``year`` (up to today) that have no letter for it."""
    first, last = year_bounds(year)
    letter = TargetLetter.objects.filter(team=OuterRef("pk"), year=year)
    rows = scoped(
        user,
        Team.objects.filter(overlapping(first, last), start_date__lte=clock.today())
        .filter(~Exists(letter))
        .select_related("village__township", "village__county", "term"),
    )
    if county is not None:
        rows = rows.filter(village__county=county)
    return rows.order_by("village__county__code", "village__township__code", "id")


def letter_teams(*, user, year: int, county: Region | None = None) -> QuerySet[Team]:
    """Teams a letter for ``year`` may be signed with (in post that year)."""
    first, last = year_bounds(year)
    rows = scoped(
        user,
        Team.objects.filter(overlapping(first, last)).select_related(
            "village__township", "village__county"
        ),
    )
    if county is not None:
        rows = rows.filter(village__county=county)
    return rows.order_by("village__county__code", "village__township__code", "id")


class TargetItemFilterSet(StrictFilterSet):
    region = RegionFilter(field_name="letter__team__village__township__path")
    letter = IdFilter(field_name="letter", label=_("目标责任书的 id。"))
    year = django_filters.NumberFilter(field_name="letter__year", label=_("年度。"))
    status = django_filters.ChoiceFilter(
        choices=TargetItem.Status.choices, label=_("进度。")
    )

    class Meta:
        model = TargetItem
        fields = ["region", "letter", "year", "status"]


def _target_items(*, user) -> QuerySet[TargetItem]:
    return scoped(
        user,
        TargetItem.objects.select_related(
            "letter__team__village", "responsible__person"
        ),
    ).order_by("-letter__year", "letter_id", "id")


def target_item_list(
    *, user, filters: Mapping[str, Any] | None = None
) -> QuerySet[TargetItem]:
    """Checklist items of letters, latest year first."""
    return TargetItemFilterSet.apply(filters, _target_items(user=user), user=user)


def target_item_get(*, user, pk: int) -> TargetItem:
    """One checklist item; raises TargetItem.DoesNotExist."""
    return _target_items(user=user).get(pk=pk)
