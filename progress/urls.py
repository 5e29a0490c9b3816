from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("accounts/settings/", views.LearnerSettingsView.as_view(), name="settings"),
    path("accounts/export/", views.data_export, name="export"),
    path("accounts/delete/", views.AccountDeleteView.as_view(), name="delete"),
    path("progress/", views.ProfileView.as_view(), name="profile"),
    path("progress/complete/<int:lesson_id>/", views.lesson_complete_view, name="complete"),
    path("progress/merge/", views.progress_merge_view, name="merge"),
    path("language/", views.language_switch, name="language"),
]
