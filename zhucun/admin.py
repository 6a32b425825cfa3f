"""The admin base every app's admin builds on, and the read-only audit trail.

``ZhucunAdmin`` gives each model admin three things:

- reads go through ``zhucun.access.scoped`` (rows and foreign-key choices);
- writes go through a service (``create``/``update`` hooks) or, for models that
  have none yet, through an audited save in one transaction;
- a service that refuses (``ValidationError``) does not become a server error:
  the whole request is rolled back and the form is shown again with the
  service's Chinese message on the field it names.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin import widgets
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext

from zhucun.access import scoped, scoped_models, user_scope
from zhucun.audit import audit_record, diff, snapshot
from zhucun.models import UserScope

_REFUSAL_ATTR = "_zhucun_refusal"


class ServiceRefused(Exception):
    """A write refused by a service; carries the ValidationError to show."""

    def __init__(self, error: ValidationError):
        super().__init__(error)
        self.error = error


def refusal_messages(error: ValidationError) -> dict[str | None, list[str]]:
    """{field or None: messages} of a ValidationError."""
    if hasattr(error, "error_dict"):
        return {
            (None if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    return {None: error.messages}


class ServiceForm(forms.ModelForm):
    """A model form whose model checks for some fields are left to the service.

    Django's generic messages for a constraint ("违反约束 …") would otherwise
    reach the clerk before the service's own Chinese message.
    """

    service_validated: tuple[str, ...] = ()

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() | set(self.service_validated)


class _RefusedForm:
    """Mixed into the form of the second pass: adds the service's messages."""

    refusal: ValidationError
    refusal_fields: dict[str, str] = {}

    def clean(self):
        cleaned = super().clean()
        for field, messages in refusal_messages(self.refusal).items():
            target = self.refusal_fields.get(field, field)
            self.add_error(target if target in self.fields else None, messages)
        return cleaned


def adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's instance the row a service saved (pk and field values)."""
    if saved is obj:
        return
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def _attribute_path(obj, path: str):
    for name in path.split("."):
        if obj is None:
            return None
        obj = getattr(obj, name)
    return obj


def region_choices(user, queryset: models.QuerySet) -> models.QuerySet:
    """The regions ``user`` may put a row in: their own region and everything below.

    ``zhucun.access.scoped`` lets every scoped user *read* every region (names
    and codes are reference data); choosing one for a row is placing the row
    there, so a county chooses only inside itself, a unit or committee nowhere.
    """
    if user.is_active and user.is_superuser:
        return queryset
    scope = user_scope(user)
    if scope is None or not user.is_active:
        return queryset.none()
    if scope.role == UserScope.Role.PROVINCE:
        return queryset
    if scope.region_id is None:
        return queryset.none()
    return queryset.filter(path__startswith=scope.region.path)


class ScopedAdminMixin:
    """Rows and foreign-key choices narrowed by ``zhucun.access.scoped``.

    A foreign key to a Region offers (and, being the form field's queryset,
    accepts) only the regions of ``region_choices``; ``open_region_fields``
    names the region fields that describe a row rather than place it (a unit's
    fixed-point county), which offer every region.
    """

    open_region_fields: tuple[str, ...] = ()

    def get_queryset(self, request):
        return scoped(request.user, super().get_queryset(request))

    def get_field_queryset(self, db, db_field, request):
        queryset = super().get_field_queryset(db, db_field, request)
        related = db_field.remote_field.model
        if related._meta.label_lower not in scoped_models():
            return queryset
        if queryset is None:
            queryset = related._default_manager.using(db).all()
        queryset = scoped(request.user, queryset)
        if (
            related._meta.label_lower == "villages.region"
            and db_field.name not in self.open_region_fields
        ):
            queryset = region_choices(request.user, queryset)
        return queryset


# Personal fields the app masks (zhucun.audit, zhucun.id_numbers): never filtered,
# searched or sorted on in the admin, whatever path reaches them.
MASKED_FIELDS = frozenset({"id_number", "phone", "birth_date"})

# The lookups a declared field filter sends (Django's field list filters).
_FILTER_SUFFIXES = (
    "",
    "__exact",
    "__isnull",
    "__in",
    "__id__exact",
    "__pk__exact",
    "__gte",
    "__lt",
)


def touches_masked_field(lookup: str) -> bool:
    """Whether a lookup path names a masked field anywhere along it."""
    return not MASKED_FIELDS.isdisjoint(lookup.split("__"))


class DeclaredLookupsMixin:
    """Only the lookups of the admin's own filters reach the change list.

    Django allows any lookup on a local field (``?phone__startswith=13``):
    walking such prefixes recovers a masked number. Here a query-string
    lookup must be a declared list filter's (or the date hierarchy's, or one
    of ``extra_lookups``), and never one that names a masked field.
    """

    extra_lookups: tuple[str, ...] = ()

    def lookup_allowed(self, lookup, value, request=None):
        from django.contrib.admin import SimpleListFilter

        if touches_masked_field(lookup):
            return False
        allowed = set(self.extra_lookups)
        list_filter = (
            self.get_list_filter(request) if request is not None else self.list_filter
        )
        for item in list_filter:
            if isinstance(item, type) and issubclass(item, SimpleListFilter):
                allowed.add(item.parameter_name)
                continue
            path = item[0] if isinstance(item, list | tuple) else item
            allowed.update(path + suffix for suffix in _FILTER_SUFFIXES)
        if self.date_hierarchy:
            allowed.update(
                f"{self.date_hierarchy}__{part}" for part in ("year", "month", "day")
            )
        if lookup in allowed:
            return True
        # The raw-id popups of a key with limit_choices_to, as Django allows them.
        for fk_lookup in self.model._meta.related_fkey_lookups:
            if callable(fk_lookup):
                fk_lookup = fk_lookup()
            params = widgets.url_params_from_lookup_dict(fk_lookup)
            if (lookup, value) in params.items():
                return True
        return False


class ZhucunInline(ScopedAdminMixin, admin.TabularInline):
    """An inline table whose rows and choices are scoped like its parent's.

    Read-only for scoped roles unless ``scoped_writes`` (its rows written
    through services by the parent admin's ``create_inline``/``update_inline``).
    """

    extra = 0
    scoped_writes: bool = False

    def _may_write(self, request) -> bool:
        user = request.user
        return (user.is_active and user.is_superuser) or self.scoped_writes

    def has_add_permission(self, request, obj=None):
        return self._may_write(request) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request) and super().has_delete_permission(request, obj)


class ZhucunAdmin(DeclaredLookupsMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Scoped reads, audited or service-backed writes, refusals shown on the form."""

    # Facets count every filter choice over the whole table: too slow at 1.2M rows.
    show_facets = admin.ShowFacets.NEVER
    # One COUNT is enough; the second (unfiltered) one is skipped on big tables.
    show_full_result_count = False
    list_per_page = 50
    # Dotted path from an instance to its county code, for the audit trail.
    audit_county: str = ""
    # Service error keys that are named differently on the form.
    refusal_fields: dict[str, str] = {}
    # Scoped roles write through this admin only where its writes go through
    # the model's services (``create``/``update`` overridden, deletes checked);
    # elsewhere the admin is read-only for them and they use the pages, whose
    # services hold the rules. Superusers keep the audited save.
    scoped_writes: bool = False

    # --- permissions: who may write here -------------------------------------
    def may_write(self, request, obj=None) -> bool:
        """Whether the user may write ``obj`` (or rows of this model) here."""
        user = request.user
        if user.is_active and user.is_superuser:
            return True
        return self.scoped_writes and (obj is None or self.row_writable(request, obj))

    def row_writable(self, request, obj) -> bool:
        """A row the user may change; shared reference rows narrow this further."""
        return True

    def has_add_permission(self, request, *args):
        return self.may_write(request) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.may_write(request, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return self.may_write(request, obj) and super().has_delete_permission(
            request, obj
        )

    # --- views: show refusals ---------------------------------------------
    # (zhucun.audit.AuditMiddleware attributes every write to the user.)
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceRefused as refused:
            # The first pass is rolled back; the second validates the same
            # POST with the service's messages added, so it writes nothing.
            setattr(request, _REFUSAL_ATTR, refused.error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, _REFUSAL_ATTR, None)
        if refusal is None:
            return form
        return type(
            form.__name__,
            (_RefusedForm, form),
            {"refusal": refusal, "refusal_fields": self.refusal_fields},
        )

    # --- writes -------------------------------------------------------------
    def save_model(self, request, obj, form, change):
        try:
            saved = (
                self.update(request, obj, form)
                if change
                else self.create(request, obj, form)
            )
            self.require_in_scope(request, saved)
        except ValidationError as exc:
            raise ServiceRefused(exc) from exc
        adopt(obj, saved)

    def require_in_scope(self, request, saved: models.Model) -> None:
        """Refuse a write whose row would land outside the actor's scope.

        The foreign-key choices are scoped already; this catches what they
        cannot (a row placed by two keys, a pairing of two counties). Raised
        inside the admin's transaction, so the write is rolled back.
        """
        if request.user.is_superuser:
            return
        model = type(saved)
        if not self.get_queryset(request).filter(pk=saved.pk).exists():
            raise ValidationError(
                gettext("保存后该%(what)s将不在您的管辖范围内，不能保存。")
                % {"what": model._meta.verbose_name}
            )

    def create(self, request, obj, form) -> models.Model:
        """Write a new row; admins whose model has a create service override this."""
        return self.audited_save(obj, before={}, county_code=self.county_code_of(obj))

    def update(self, request, obj, form) -> models.Model:
        """Write a changed row; admins whose model has an update service override this."""
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk))
        return self.audited_save(
            obj, before=before, county_code=self.county_code_of(obj)
        )

    def county_code_of(self, obj) -> str:
        """The county code recorded with a write to ``obj`` (one of this admin's rows)."""
        if not self.audit_county:
            return ""
        return _attribute_path(obj, self.audit_county) or ""

    @staticmethod
    @transaction.atomic
    def audited_save(
        obj, *, before: dict | None, county_code: str = "", conflict: str = ""
    ) -> models.Model:
        """Save ``obj`` and record it (``before`` None or empty: a new row).

        For the models that have no service yet. A database constraint that
        refuses the row becomes ``conflict`` (or a general message).
        """
        try:
            with transaction.atomic():
                obj.save()
        except IntegrityError:
            raise ValidationError(
                conflict
                or gettext("保存失败：与已有记录冲突（数据库约束），请核对后重试。")
            ) from None
        changes = diff(before or {}, snapshot(obj))
        if not before or changes:
            audit_record(
                action="update" if before else "create",
                instance=obj,
                changes=changes,
                county_code=county_code,
            )
        return obj

    @staticmethod
    @transaction.atomic
    def audited_delete(obj, *, county_code: str = "") -> None:
        """Record and delete ``obj``."""
        before = snapshot(obj)
        audit_record(
            action="delete",
            instance=obj,
            changes=diff(before, dict.fromkeys(before)),
            county_code=county_code,
        )
        obj.delete()

    def delete_model(self, request, obj):
        self.audited_delete(obj, county_code=self.county_code_of(obj))

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def save_formset(self, request, form, formset, change):
        """Inline rows: deletions and changes audited, new rows through ``create_inline``.

        An inline row is recorded under its parent's county.
        """
        formset.save(commit=False)
        county_code = self.county_code_of(form.instance)
        for obj in formset.deleted_objects:
            self.audited_delete(obj, county_code=county_code)
        try:
            for obj in formset.new_objects:
                adopt(obj, self.create_inline(request, obj, county_code))
            for obj, changed_data in formset.changed_objects:
                adopt(obj, self.update_inline(request, obj, changed_data, county_code))
        except ValidationError as exc:
            # The inline row has no place for the message: show it on top.
            raise ServiceRefused(ValidationError(exc.messages)) from exc
        formset.save_m2m()

    def create_inline(self, request, obj, county_code: str) -> models.Model:
        return self.audited_save(obj, before={}, county_code=county_code)

    def update_inline(
        self, request, obj, changed_data: list[str], county_code: str
    ) -> models.Model:
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk))
        return self.audited_save(obj, before=before, county_code=county_code)


def changed_values(form, names) -> dict:
    """The cleaned values of the form fields in ``names`` that the clerk changed."""
    return {
        name: form.cleaned_data[name] for name in names if name in form.changed_data
    }
