from django.urls import path

from progress import views

app_name = "progress"

urlpatterns = [
    path("accounts/settings/", views.LearnerSettingsView.as_view(), name="settings"),
    path("accounts/export/", views.data_export, name="export"),
    path("accounts/delete/", views.AccountDeleteView.as_view(), name="delete"),
    path("language/", views.language_switch, name="language"),
]
