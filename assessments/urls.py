"""Pages of the county's yearly cycle: grading, training, target letters, the record."""

from django.urls import path

from assessments import views

app_name = "assessments"
urlpatterns = [
    path("", views.index, name="index"),
    path("grading/", views.grading, name="grading"),
    path("term-end/", views.term_end, name="term-end"),
    path("barred/", views.barred, name="barred"),
    path("training/", views.training_list, name="training-list"),
    path("training/new/", views.training_create, name="training-create"),
    path("training/days/", views.training_days, name="training-days"),
    path("training/behind/", views.training_behind, name="training-behind"),
    path("training/<int:pk>/", views.training_detail, name="training-detail"),
    path(
        "training/<int:pk>/records/<int:record_pk>/delete/",
        views.training_record_delete,
        name="training-record-delete",
    ),
    path("letters/", views.letter_list, name="letter-list"),
    path("letters/missing/", views.letter_missing, name="letter-missing"),
    path("letters/new/", views.letter_create, name="letter-create"),
    path("letters/<int:pk>/", views.letter_detail, name="letter-detail"),
    path(
        "letters/<int:pk>/items/<int:item_pk>/",
        views.item_edit,
        name="item-edit",
    ),
    path(
        "letters/<int:pk>/items/<int:item_pk>/progress/",
        views.item_progress,
        name="item-progress",
    ),
    path("people/<int:pk>/record/", views.person_record, name="person-record"),
]
