from django.contrib import admin

from courses.models import Course, Lesson, Tag


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "order", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug", "tagline"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["source_path", "created_at", "updated_at"]


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ["title", "course", "order", "status", "minutes", "xp", "updated_at"]
    list_filter = ["course", "status", "level", "tags"]
    list_select_related = ["course"]
    search_fields = ["title", "slug", "body_md"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["tags"]
    readonly_fields = ["source_path", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["course", "title", "slug", "order", "status"]}),
        ("Details", {"fields": ["minutes", "level", "xp", "tags"]}),
        ("Summary", {"fields": ["summary", "summary_by"]}),
        ("Content", {"fields": ["body_md", "takeaways_md", "exercise_md", "links"]}),
        ("Source", {"fields": ["source_path", "created_at", "updated_at"]}),
    ]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["slug"]
