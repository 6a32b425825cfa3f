"""Pages of villages: the list (search, filters, export) and each village."""

from django.urls import path  # noqa: F401

app_name = "villages"

urlpatterns: list = []
