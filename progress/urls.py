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
    path("progress/position/<int:lesson_id>/", views.position_save_view, name="position-save"),
    path("progress/positions/merge/", views.positions_merge_view, name="positions-merge"),
    path("leaderboard/", views.LeaderboardView.as_view(), name="leaderboard"),
]
