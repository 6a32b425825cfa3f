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
from django.db.models import Q
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


def path_rule(lookup: str) -> Callable[[str], Q]:
    """A ``Rule.region`` for rows reached by ``lookup`` to a Region ``path``."""
    return lambda path: Q(**{f"{lookup}__startswith": path})


# Each app registers the rules of its models from its ``AppConfig.ready()``
# (``<app>/access.py``), so this module knows no app: the arrow points down.
_RULES: dict[str, Rule] = {}


def register(rules: dict[str, Rule]) -> None:
    """Add the access rules of some models, by ``app_label.modelname``."""
    taken = _RULES.keys() & rules.keys()
    if taken:
        raise ValueError(f"access rules registered twice: {sorted(taken)}")
    _RULES.update(rules)


def scoped_models() -> set[str]:
    """Labels of the models the access rules know (a test checks none is forgotten)."""
    return set(_RULES)


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


def sees_everything(user) -> bool:
    """Whether ``user`` sees every row of every scoped model (superuser, province)."""
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    scope = user_scope(user)
    return scope is not None and scope.role == UserScope.Role.PROVINCE


def scope_q(user, model: type[models.Model]) -> Q | None:
    """The filter for ``model``'s rows that ``user`` may see; None means all rows."""
    if getattr(user, "is_superuser", False) and user.is_active:
        return None
    scope = user_scope(user)
    if scope is None or not user.is_active:
        return NOTHING
    rule = _RULES.get(model._meta.label_lower)
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
