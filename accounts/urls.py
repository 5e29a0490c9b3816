from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/settings/", views.LearnerSettingsView.as_view(), name="settings"),
    path("accounts/export/", views.data_export, name="export"),
    path("accounts/delete/", views.AccountDeleteView.as_view(), name="delete"),
    path("language/", views.language_switch, name="language"),
]
