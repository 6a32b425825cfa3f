"""The workbooks in the Django admin: import and export in the import layout.

A model admin opts in with ``WorkbookAdminMixin`` and ``workbook_kind``::

    class VillageAdmin(WorkbookAdminMixin, ZhucunAdmin):
        workbook_kind = "villages"

Its change list then has two buttons and an action:

- 导入Excel opens the kind's import page (``workbooks:import-kind``): the same
  upload, whole-file check, preview, confirm and error workbook as everywhere
  else, so the admin cannot write a row the import pipeline would refuse;
- 导出Excel exports every row of the change list as it is filtered and searched;
- the action exports the selected rows.

Exports go through ``exporter.export_workbook``, scoped again there, so numbers
are masked and full exports audited exactly as on the export page.
"""

from django.contrib import messages
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from zhucun.workbooks.exporter import export_response
from zhucun.workbooks.importer import may_import
from zhucun.workbooks.kinds import TITLES


def export_selected(modeladmin, request, queryset):
    """Download the selected rows as a workbook in the import layout."""
    return export_response(
        kind=modeladmin.workbook_kind,
        user=request.user,
        pks=queryset.values_list("pk", flat=True),
    )


export_selected.short_description = _("导出选中的行为Excel（与导入格式相同）")


class WorkbookAdminMixin:
    """Import and export buttons and an export action (set ``workbook_kind``)."""

    workbook_kind = ""
    change_list_template = "admin/workbooks/change_list.html"

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.workbook_kind:
            actions["export_selected_workbook"] = (
                export_selected,
                "export_selected_workbook",
                export_selected.short_description,
            )
        return actions

    def get_urls(self):
        opts = self.model._meta
        name = f"{opts.app_label}_{opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("export-xlsx/", wrap(self.export_view), name=f"{name}_export_xlsx"),
            path("import-xlsx/", wrap(self.import_view), name=f"{name}_import_xlsx"),
            *super().get_urls(),
        ]

    def export_view(self, request):
        """Every row of the change list, with its filters and search, as a workbook."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except (IncorrectLookupParameters, DisallowedModelAdminLookup):
            # A lookup the change list does not declare (ZhucunAdmin.lookup_allowed)
            # is refused here as there: never exported unfiltered.
            messages.error(request, _("筛选条件有误，请在列表页重新筛选后再导出。"))
            return redirect(self._changelist_url())
        rows = changelist.get_queryset(request)
        return export_response(
            kind=self.workbook_kind,
            user=request.user,
            pks=rows.order_by().values_list("pk", flat=True),
        )

    def import_view(self, request):
        """The kind's import page (the one pipeline every import goes through)."""
        return redirect("workbooks:import-kind", kind=self.workbook_kind)

    def _changelist_url(self) -> str:
        opts = self.model._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        name = f"admin:{opts.app_label}_{opts.model_name}"
        extra_context = {
            **(extra_context or {}),
            "workbook_title": TITLES.get(self.workbook_kind, ""),
            "workbook_export_url": reverse(f"{name}_export_xlsx"),
            "workbook_import_url": (
                reverse(f"{name}_import_xlsx")
                if may_import(request.user, self.workbook_kind)
                else ""
            ),
        }
        return super().changelist_view(request, extra_context=extra_context)
