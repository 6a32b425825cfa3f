"""Pages of villages: the list (search, filters, export) and each village."""

from django.urls import path

from villages import views

app_name = "villages"

urlpatterns: list = [
    path("", views.village_list, name="village-list"),
    path("<int:pk>/", views.village_detail, name="village-detail"),
]
