"""Pages of assessments (filled by the assessments views)."""

from django.urls import path  # noqa: F401

app_name = "assessments"
urlpatterns: list = []
