"""Import and export pages, under /workbooks/."""

from django.urls import path

from zhucun.workbooks import views

app_name = "workbooks"

urlpatterns = [
    path("imports/", views.import_start, name="import-start"),
    path("imports/<int:pk>/", views.import_job, name="import-job"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
    path("imports/<int:pk>/retry/", views.import_retry, name="import-retry"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors, name="import-errors"),
    path("imports/<slug:kind>/", views.import_start, name="import-kind"),
    path(
        "imports/<slug:kind>/template.xlsx",
        views.import_template,
        name="import-template",
    ),
    path("exports/", views.export, name="export"),
]
