"""The admin side of the workbooks: an export action in the import layout.

A model admin opts in with ``WorkbookAdminMixin`` and ``workbook_kind``::

    class VillageAdmin(WorkbookAdminMixin, ZhucunAdmin):
        workbook_kind = "villages"

The action exports the selected rows (already scoped by the admin's queryset, and
scoped again by the export) through ``exporter.export_workbook``, so numbers are
masked and full exports audited exactly as on the export page. Imports are not an
admin action: they go through the upload page, which checks the whole workbook first.
"""

import tempfile

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from zhucun.workbooks.exporter import export_workbook
from zhucun.workbooks.kinds import TITLES

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def export_selected(modeladmin, request, queryset):
    """Download the selected rows as a workbook in the import layout."""
    kind = modeladmin.workbook_kind
    handle = tempfile.TemporaryFile()
    export_workbook(
        kind=kind,
        target=handle,
        user=request.user,
        pks=queryset.values_list("pk", flat=True),
    )
    handle.seek(0)
    stamp = timezone.localtime().strftime("%Y%m%d")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{TITLES[kind]}-{stamp}.xlsx",
        content_type=XLSX_TYPE,
    )


export_selected.short_description = _("导出选中的行为Excel（与导入格式相同）")


class WorkbookAdminMixin:
    """Adds the workbook export action to a model admin (set ``workbook_kind``)."""

    workbook_kind = ""

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.workbook_kind:
            actions["export_selected_workbook"] = (
                export_selected,
                "export_selected_workbook",
                export_selected.short_description,
            )
        return actions
