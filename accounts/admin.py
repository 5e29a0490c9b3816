from django.contrib import admin

from accounts.models import LearnerProfile


@admin.register(LearnerProfile)
class LearnerProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "user", "language", "time_zone", "email_notifications"]
    search_fields = ["display_name", "user__email"]
    raw_id_fields = ["user"]
