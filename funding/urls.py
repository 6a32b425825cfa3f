"""Pages of working funds (五(二))."""

from django.urls import path

from funding import views

app_name = "funding"
urlpatterns = [
    path("", views.fund_list, name="fund-list"),
    path("new/", views.fund_create_page, name="fund-create"),
    path("teams/", views.teams, name="teams"),
    path("short/", views.short, name="short"),
    path("spending/", views.spending_list, name="spending-list"),
    path("<int:pk>/", views.fund_detail, name="fund-detail"),
    path("<int:pk>/edit/", views.fund_edit, name="fund-edit"),
    path(
        "<int:pk>/spending/<int:spending_pk>/delete/",
        views.spending_delete_page,
        name="spending-delete",
    ),
]
