"""Who may see which rows: the one place that turns (user, model) into a filter.

Every selector, admin ``get_queryset``, API view, export, import and form-field
queryset goes through :func:`scoped`. A user's scope is a region (with everything
below it), a dispatching unit, or a work committee (机关工委) and its units.
Deny by default: a user with no scope sees nothing; a superuser sees everything.
Rows outside scope are simply absent, so a detail lookup answers 404, never 403.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from zhucun.models import UserScope

NOTHING = Q(pk__in=[])


@dataclass(frozen=True)
class Rule:
    """How one model reaches a region, a unit and a work committee.

    ``region`` is a lookup to a Region ``path`` (prefix-matched); ``unit`` and
    ``committee`` build a Q from the scope's unit or work-committee id. A missing
    entry means that kind of scope sees none of the model's rows.
    """

    region: Callable[[str], Q] | None = None
    unit: Callable[[int], Q] | None = None
    committee: Callable[[int], Q] | None = None
    everyone: bool = False  # reference data any scoped user may read


def _path(lookup: str) -> Callable[[str], Q]:
    return lambda path: Q(**{f"{lookup}__startswith": path})


def _through_team(prefix: str) -> Rule:
    """Rows that belong to a team, reached by ``prefix`` (``""`` for Team itself)."""
    from teams.models import Membership

    key = f"{prefix}in" if prefix else "pk__in"

    def teams_with(**conditions):
        return Membership.objects.filter(**conditions).values("team")

    return Rule(
        region=_path(f"{prefix}village__township__path"),
        unit=lambda unit_id: Q(**{key: teams_with(unit_id=unit_id)}),
        committee=lambda committee_id: Q(
            **{key: teams_with(unit__work_committee_id=committee_id)}
        ),
    )


def _through_membership(prefix: str) -> Rule:
    """Rows that belong to one membership, reached by ``prefix`` (ends with ``__``)."""
    return Rule(
        region=_path(f"{prefix}team__village__township__path"),
        unit=lambda unit_id: Q(**{f"{prefix}unit_id": unit_id}),
        committee=lambda committee_id: Q(
            **{f"{prefix}unit__work_committee_id": committee_id}
        ),
    )


def _person_rule() -> Rule:
    from teams.models import Membership

    def served(**conditions) -> Q:
        return Q(Exists(Membership.objects.filter(person=OuterRef("pk"), **conditions)))

    return Rule(
        region=lambda path: (
            served(team__village__township__path__startswith=path)
            | Q(unit__region__path__startswith=path)
        ),
        unit=lambda unit_id: Q(unit_id=unit_id) | served(unit_id=unit_id),
        committee=lambda committee_id: (
            Q(unit__work_committee_id=committee_id)
            | served(unit__work_committee_id=committee_id)
        ),
    )


def _of_people(prefix: str) -> Rule:
    """Rows that belong to a person, reached by ``prefix`` (ends with ``__``)."""
    from teams.models import Person

    person = _person_rule()

    def via(q: Q) -> Q:
        return Q(**{f"{prefix}in": Person.objects.filter(q).values("pk")})

    return Rule(
        region=lambda path: via(person.region(path)),
        unit=lambda unit_id: via(person.unit(unit_id)),
        committee=lambda committee_id: via(person.committee(committee_id)),
    )


def _rules() -> dict[str, Rule]:
    from teams.models import Membership

    def unit_region(path: str) -> Q:
        sent = Membership.objects.filter(
            unit=OuterRef("pk"), team__village__township__path__startswith=path
        )
        return Q(region__path__startswith=path) | Q(Exists(sent))

    return {
        "villages.region": Rule(everyone=True),
        "villages.village": Rule(
            region=_path("township__path"),
            unit=lambda unit_id: Q(
                pk__in=Membership.objects.filter(unit_id=unit_id).values(
                    "team__village"
                )
            ),
            committee=lambda committee_id: Q(
                pk__in=Membership.objects.filter(
                    unit__work_committee_id=committee_id
                ).values("team__village")
            ),
        ),
        "villages.household": Rule(region=_path("village__township__path")),
        "teams.term": Rule(everyone=True),
        "teams.workcommittee": Rule(
            region=_path("region__path"),
            committee=lambda committee_id: Q(pk=committee_id),
        ),
        # The directory of dispatching units is shared: a county appoints cadres of
        # provincial and city units, so it must be able to name them. Who they
        # sent, and where, stays scoped (Person, Membership).
        "teams.unit": Rule(everyone=True),
        "teams.pairing": Rule(
            region=lambda path: (
                Q(assisted_county__path__startswith=path)
                | Q(assisting_county__path__startswith=path)
            )
        ),
        "teams.person": _person_rule(),
        "teams.team": _through_team(""),
        "teams.membership": _through_membership(""),
        "attendance.monthlyattendance": _through_membership("membership__"),
        "attendance.attendancesubmission": Rule(region=_path("township__path")),
        "attendance.householdvisit": _through_team("team__"),
        "attendance.teamreport": _through_team("team__"),
        "attendance.leadermeeting": Rule(region=_path("county__path")),
        "attendance.attendancerollup": Rule(region=_path("region__path")),
        # A county's dashboard counts: the county and the regions above it only.
        "attendance.placesummary": Rule(region=_path("county__path")),
        "attendance.reminder": Rule(region=_path("region__path")),
        "attendance.rolluplock": Rule(),
        "assessments.assessment": _through_membership("membership__"),
        "assessments.trainingevent": Rule(everyone=True),
        "assessments.trainingrecord": _of_people("person__"),
        "assessments.targetletter": _through_team("team__"),
        "assessments.targetitem": _through_team("letter__team__"),
        "assessments.compliancerun": _compliance_run_rule(),
        "assessments.findingrecord": _finding_rule(),
        "funding.fund": _through_team("team__"),
        "funding.spending": _through_team("fund__team__"),
        "zhucun.auditentry": Rule(region=_audit_region),
        "zhucun.userscope": Rule(region=_path("region__path")),
        # Import jobs are read by their owner only (zhucun/workbooks/jobs.py).
        "zhucun.importjob": Rule(),
        # API tokens are read by their owner only (zhucun/api_tokens.py).
        "zhucun.apitoken": Rule(),
    }


def _compliance_run_rule() -> Rule:
    """Runs of the user's region, of the regions above it and below it.

    A run above the region (the province's nightly one) is what dates the
    findings the user sees; a unit or committee sees the province's runs.
    """

    def region(path: str) -> Q:
        codes = path.strip("/").split("/")
        above = [
            "".join(f"{code}/" for code in codes[:n]) for n in range(1, len(codes))
        ]
        return (
            Q(region__isnull=True)
            | Q(region__path__startswith=path)
            | Q(region__path__in=above)
        )

    return Rule(
        region=region,
        unit=lambda unit_id: Q(region__isnull=True),
        committee=lambda committee_id: Q(region__isnull=True),
    )


def _finding_rule() -> Rule:
    """Findings under the region's path; for a unit or committee, about its own.

    A unit (or a committee's units) sees the findings about itself and about its
    dispatched members (a member finding's ``object_id`` is the membership's id).
    """
    from teams.models import Membership, Unit

    def about(units: Q, memberships: Q) -> Q:
        return Q(
            object_type="unit", object_id__in=Unit.objects.filter(units).values("pk")
        ) | Q(
            object_type="member",
            object_id__in=Membership.objects.filter(memberships).values("pk"),
        )

    return Rule(
        region=_path("path"),
        unit=lambda unit_id: about(Q(pk=unit_id), Q(unit_id=unit_id)),
        committee=lambda committee_id: about(
            Q(work_committee_id=committee_id), Q(unit__work_committee_id=committee_id)
        ),
    )


def _audit_region(path: str) -> Q:
    from villages.models import Region

    counties = Region.objects.filter(path__startswith=path, level=Region.Level.COUNTY)
    return Q(county_code__in=counties.values("code"))


_RULES: dict[str, Rule] | None = None


def _rules_cache() -> dict[str, Rule]:
    global _RULES
    if _RULES is None:
        _RULES = _rules()
    return _RULES


def scoped_models() -> set[str]:
    """Labels of the models the access rules know (a test checks none is forgotten)."""
    return set(_rules_cache())


def user_scope(user) -> UserScope | None:
    """The user's scope, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_zhucun_scope"):
        user._zhucun_scope = (
            UserScope.objects.select_related("region", "unit", "work_committee")
            .filter(user=user)
            .first()
        )
    return user._zhucun_scope


def scope_q(user, model: type[models.Model]) -> Q | None:
    """The filter for ``model``'s rows that ``user`` may see; None means all rows."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    scope = user_scope(user)
    if scope is None or not user.is_active:
        return NOTHING
    rule = _rules_cache().get(model._meta.label_lower)
    if rule is None:
        return NOTHING
    if rule.everyone:
        return None
    if scope.role == UserScope.Role.PROVINCE:
        return None
    if scope.region_id is not None:
        if model._meta.label_lower == "zhucun.auditentry" and scope.role not in (
            UserScope.Role.PREFECTURE,
            UserScope.Role.COUNTY,
        ):
            return NOTHING
        return rule.region(scope.region.path) if rule.region else NOTHING
    if scope.unit_id is not None:
        return rule.unit(scope.unit_id) if rule.unit else NOTHING
    if scope.work_committee_id is not None:
        return rule.committee(scope.work_committee_id) if rule.committee else NOTHING
    return NOTHING


def scoped(user, queryset: models.QuerySet) -> models.QuerySet:
    """Narrow ``queryset`` to the rows ``user`` may see."""
    q = scope_q(user, queryset.model)
    return queryset if q is None else queryset.filter(q)


def get_scoped_or_404(user, queryset: models.QuerySet, **lookup) -> models.Model:
    """One row the user may see, else 404 (never 403: outside scope does not exist)."""
    try:
        return scoped(user, queryset).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(_("记录不存在或不在您的管辖范围内。")) from None


def require_in_scope(user, instance: models.Model | None, field: str) -> None:
    """Refuse a foreign key to a row outside the user's scope, as a field error."""
    if instance is None:
        return
    model = type(instance)
    if not scoped(user, model._default_manager.filter(pk=instance.pk)).exists():
        raise ValidationError(
            {
                field: _("所选%(what)s不在您的管辖范围内。")
                % {"what": model._meta.verbose_name}
            }
        )
