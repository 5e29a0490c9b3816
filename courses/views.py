from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views.generic import DetailView, ListView

from courses import lookups
from courses.cache_names import lesson_page
from courses.models import Course, Lesson, Tag
from courses.search import MAX_QUERY_LENGTH, SearchTerms, lesson_snippets
from lessons.caching.pages import anonymous_page
from lessons.caching.shells import member_page
from lessons.caching.versions import VersionName
from lessons.ratelimits import rate_limit_hit, requester

SEARCH_RESULTS_PER_PAGE = 20


def lesson_page_versions(
    request: HttpRequest, course_slug: str, lesson_slug: str
) -> list[VersionName]:
    """A lesson page also shows its discussion, which has a version of its own (the comments app
    bumps it). No such lesson: the page is a 404, which is never cached."""
    found = lookups.lesson_id(course_slug, lesson_slug)
    return [lesson_page(found)] if found else []


# Anonymous readers all get the same pages (lessons.caching.pages); staff and learners never do.
@method_decorator(anonymous_page(), name="dispatch")
class CatalogueView(ListView):
    template_name = "courses/catalogue.html"
    context_object_name = "courses"

    def get_queryset(self):
        courses = Course.objects.visible_to(self.request.user).with_published_totals()
        if not self.request.user.is_staff:
            courses = courses.filter(lesson_count__gt=0)
        return courses


# Signed-in learners share a shell of the page, their own parts drawn in (lessons.caching.shells).
@method_decorator(anonymous_page(), name="dispatch")
@method_decorator(member_page(), name="dispatch")
class CourseDetailView(DetailView):
    template_name = "courses/course_detail.html"
    context_object_name = "course"
    slug_url_kwarg = "course_slug"

    def get_queryset(self):
        return Course.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["numbered_lessons"] = lookups.numbered_outline(self.request.user, self.object.id)
        numbered = [lesson for number, lesson in context["numbered_lessons"] if number]
        context["published_count"] = len(numbered)
        context["total_minutes"] = sum(lesson.minutes for lesson in numbered)
        return context


@method_decorator(anonymous_page(lesson_page_versions), name="dispatch")
@method_decorator(member_page(lesson_page_versions), name="dispatch")
class LessonDetailView(DetailView):
    template_name = "courses/lesson_detail.html"
    context_object_name = "lesson"

    def get_object(self, queryset=None) -> Lesson:
        # What learners see of a lesson changes only with the content version: the lesson, its
        # course, tags and position are read once per version (courses.lookups), and the
        # reader's own parts of the page find them there too.
        found = lookups.lesson_id(self.kwargs["course_slug"], self.kwargs["lesson_slug"])
        lesson = lookups.lesson_with_position(self.request.user, found) if found else None
        if lesson is None:
            raise Http404("No such lesson.")
        lesson, self.position = lesson
        return lesson

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["position"] = self.position
        return context


@method_decorator(anonymous_page(), name="dispatch")
class TagDetailView(ListView):
    template_name = "courses/tag_detail.html"
    context_object_name = "lessons"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["tag_slug"])
        return (
            self.tag.lessons.visible_to(self.request.user)
            .select_related("course")
            .outline()
            .order_by("course__order", "course__title", "order")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tag"] = self.tag
        return context


# Not in the anonymous page cache: every query is a page of its own, and each one counts
# against the reader's search limit.
def search(request: HttpRequest) -> HttpResponse:
    terms = SearchTerms.parse(request.GET.get("q", ""))
    context = {"terms": terms, "max_length": MAX_QUERY_LENGTH}
    if not terms:
        return render(request, "courses/search.html", context)
    if rate_limit_hit(scope="search", who=requester(request), rate=settings.SEARCH_RATE_LIMIT):
        return render(request, "courses/search.html", {**context, "limited": True}, status=429)
    results = (
        Lesson.objects.published()
        .search(terms)
        .select_related("course")
        .prefetch_related("tags")
        .defer("body_md", "body_html", "toc", "takeaways_html", "exercise_md", "exercise_html")
    )
    page = Paginator(results, SEARCH_RESULTS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)  # evaluated once, then given their snippets
    lesson_snippets(page.object_list, terms=terms)
    return render(request, "courses/search.html", {**context, "page_obj": page})
