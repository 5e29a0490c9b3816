"""What the admin's per-lesson report lists share: they are read, never edited."""

from django.contrib import admin
from django.http import HttpRequest


class LessonReportListAdmin(admin.ModelAdmin):
    """A list of lessons weighed by their bug reports (a proxy of Lesson): staff who may see bug
    reports read it; lessons are changed in their own admin, and reports in theirs."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_staff and request.user.has_perm("comments.view_bugreport")
