from django.urls import path
from django.views.generic import RedirectView

from courses import views

app_name = "courses"

urlpatterns = [
    path("", views.CatalogueView.as_view(), name="catalogue"),
    path("courses/", RedirectView.as_view(pattern_name="courses:catalogue", permanent=True)),
    path("courses/<slug:course_slug>/", views.CourseDetailView.as_view(), name="course-detail"),
    path(
        "courses/<slug:course_slug>/<slug:lesson_slug>/",
        views.LessonDetailView.as_view(),
        name="lesson-detail",
    ),
    path("tags/<slug:tag_slug>/", views.TagDetailView.as_view(), name="tag-detail"),
    path("search/", views.search, name="search"),
]
