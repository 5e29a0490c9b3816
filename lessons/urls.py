from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from lessons import health

# The admin's own login page would bypass allauth's rate limits: send it through allauth.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)

# A database that cannot be reached answers 503 "back in a moment"; other errors the 500 page.
handler500 = "lessons.views.server_error"

urlpatterns = [
    # Served ahead of the middleware that needs sessions (lessons.middleware.HealthProbeMiddleware).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("", include("accounts.urls")),
    path("", include("progress.urls")),
    path("", include("practice.urls")),
    path("", include("comments.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("courses.urls")),
]
