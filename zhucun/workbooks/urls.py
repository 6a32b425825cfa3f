"""Import and export pages (to be included by zhucun/urls.py once ImportJob exists)::

path("workbooks/", include("zhucun.workbooks.urls")),
"""

from django.urls import path

from zhucun.workbooks import views

app_name = "workbooks"

urlpatterns = [
    path("imports/", views.import_start, name="import-start"),
    path("imports/<int:pk>/", views.import_job, name="import-job"),
    path("imports/<int:pk>/confirm/", views.import_confirm, name="import-confirm"),
    path("imports/<int:pk>/errors.xlsx", views.import_errors, name="import-errors"),
    path("exports/", views.export, name="export"),
]
