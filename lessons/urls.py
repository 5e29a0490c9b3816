from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# The admin's own login page would bypass allauth's rate limits: send it through allauth.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("progress.urls")),
    path("", include("comments.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("courses.urls")),
]
