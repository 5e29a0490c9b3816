from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("progress/", views.ProfileView.as_view(), name="profile"),
    path("progress/complete/<int:lesson_id>/", views.lesson_complete_view, name="complete"),
    path("progress/merge/", views.progress_merge_view, name="merge"),
    path(
        "progress/catalogue.<slug:version>.<slug:language>.json",
        views.catalogue_view,
        name="catalogue",
    ),
]
