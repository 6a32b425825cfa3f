"""The system's admin pages: the audit trail (read-only, scoped) and Django's own admins.

Django's own admins (accounts, groups, tokens, schedules, lockouts) are for
superusers only.

Accounts are managed on zhucun's user pages and by ``create_user``; these
admins are the system administrators' tools. Every change a superuser makes
to an account here is written to the zhucun audit trail, without the password.
"""

import json

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.services import account_record, account_snapshot
from villages.admin_filters import region_filters
from zhucun.admin import DeclaredLookupsMixin, ScopedAdminMixin
from zhucun.admin_filters import AuditModelFilter, AuditSourceFilter
from zhucun.audit import audit_record, diff
from zhucun.models import AuditEntry

SYSTEM_APPS = ("auth", "authtoken", "django_celery_beat", "axes")


class SuperuserOnlyMixin:
    """Neither listed nor reachable by anyone but an active superuser."""

    @staticmethod
    def _superuser(request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self._superuser(request)

    def has_view_permission(self, request, obj=None):
        return self._superuser(request)

    def has_add_permission(self, request, *args):
        return self._superuser(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self._superuser(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._superuser(request) and super().has_delete_permission(request, obj)


class AuditedUserAdmin(SuperuserOnlyMixin, UserAdmin):
    """The stock user admin, with every change to an account audited."""

    def save_model(self, request, obj, form, change):
        before = (
            account_snapshot(type(obj)._default_manager.get(pk=obj.pk))
            if change
            else {}
        )
        request._zhucun_account_before = before
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        # Groups and permissions are saved here, after save_model: audit both at once.
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_zhucun_account_before", {})
        account_record(
            user=form.instance,
            before=before,
            password_changed=not change,
            by=request.user,
        )

    def user_change_password(self, request, id, form_url=""):
        User = get_user_model()
        stored = User._default_manager.filter(pk=id).first()
        response = super().user_change_password(request, id, form_url)
        if stored is not None and request.method == "POST":
            after = User._default_manager.get(pk=stored.pk)
            if after.password != stored.password:
                account_record(
                    user=after,
                    before=account_snapshot(after),
                    password_changed=True,
                    by=request.user,
                )
        return response

    def delete_model(self, request, obj):
        before = account_snapshot(obj)
        audit_record(
            action="delete",
            instance=obj,
            user=request.user,
            changes=diff(before, dict.fromkeys(before)),
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


def _group_snapshot(group) -> dict:
    if group is None or group.pk is None:
        return {}
    return {
        "name": group.name,
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


class AuditedGroupAdmin(SuperuserOnlyMixin, GroupAdmin):
    """The stock group admin: a role's permissions changed here are audited.

    (zhucun.roles.ensure_role_groups sets them back to the code's on the next
    provisioning; the trail shows what was changed in between.)
    """

    def save_model(self, request, obj, form, change):
        stored = Group.objects.filter(pk=obj.pk).first() if change else None
        request._zhucun_group_before = _group_snapshot(stored)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        before = getattr(request, "_zhucun_group_before", {})
        changes = diff(before, _group_snapshot(form.instance))
        if changes or not before:
            audit_record(
                action="update" if before else "create",
                instance=form.instance,
                user=request.user,
                changes=changes,
            )


def restrict_system_admins(site: admin.AdminSite = admin.site) -> None:
    """Re-register the third-party admins so that only superusers reach them."""
    User = get_user_model()
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label not in SYSTEM_APPS:
            continue
        if isinstance(model_admin, SuperuserOnlyMixin):
            continue
        base = type(model_admin)
        if model is User:
            restricted = AuditedUserAdmin
        elif model is Group:
            restricted = AuditedGroupAdmin
        else:
            restricted = type(
                f"SuperuserOnly{base.__name__}", (SuperuserOnlyMixin, base), {}
            )
        site.unregister(model)
        site.register(model, restricted)


# accounts comes after auth, django_celery_beat and axes in INSTALLED_APPS,
# so their admins are registered by now.
restrict_system_admins()


@admin.register(AuditEntry)
class AuditEntryAdmin(DeclaredLookupsMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The audit trail: readable, never written or removed from the admin."""

    list_display = (
        "at",
        "actor",
        "source",
        "action",
        "model",
        "object_repr",
        "county_code",
        "ip_address",
    )
    list_filter = (
        "action",
        AuditModelFilter,
        AuditSourceFilter,
        *region_filters(code_field="county_code"),
    )
    list_select_related = ("actor",)
    # Exact matches only: a substring search would scan the whole trail.
    search_fields = ("=object_id", "=object_repr", "=actor__username")
    ordering = ("-at", "-id")
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    list_per_page = 50
    fields = (
        "at",
        "actor",
        "source",
        "ip_address",
        "action",
        "model",
        "object_id",
        "object_repr",
        "county_code",
        "changes_display",
    )
    readonly_fields = fields
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("变更内容"))
    def changes_display(self, obj):
        text = json.dumps(obj.changes, ensure_ascii=False, indent=2, sort_keys=True)
        return format_html("<pre>{}</pre>", text)
