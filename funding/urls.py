"""Pages of funding (filled by the funding views)."""

from django.urls import path  # noqa: F401

app_name = "funding"
urlpatterns: list = []
