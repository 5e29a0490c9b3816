import re

import pytest
from django.urls import reverse

from courses.models import Lesson, Status
from courses.services import content_load
from tests.courses.factories import write_course, write_lesson

pytestmark = pytest.mark.django_db


def lesson_url(course: str, lesson: str) -> str:
    return reverse("courses:lesson-detail", kwargs={"course_slug": course, "lesson_slug": lesson})


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_catalogue_lists_courses_with_lesson_count_and_minutes(client, sample_content):
    published = Lesson.objects.published().filter(course__slug="generative-media")
    minutes = sum(published.values_list("minutes", flat=True))
    page = text_of(client.get("/"))
    assert "Generative Media, Without the Hype" in page
    assert "Prompt Craft for Images" in page
    assert f"10 lessons · {minutes} min in total" in page


def test_course_page_shows_numbered_outline(client, sample_content):
    response = client.get(
        reverse("courses:course-detail", kwargs={"course_slug": "generative-media"})
    )
    assert response.status_code == 200
    page = text_of(response)
    titles = list(
        Lesson.objects.published()
        .filter(course__slug="generative-media")
        .order_by("order")
        .values_list("title", flat=True)
    )
    positions = [page.index(title) for title in titles]
    assert positions == sorted(positions)
    assert '<span class="outline__number">10</span>' in page


def test_lesson_page_has_every_element_of_the_layout(client, sample_content):
    lesson = Lesson.objects.get(course__slug="generative-media", order=1)
    page = text_of(client.get(lesson.get_absolute_url()))
    assert "Lesson 01 of 10" in page
    assert "· published" not in page  # learners never see the status of a published lesson
    assert f'<h1 class="lesson__title" lang="en">{lesson.title}</h1>' in page
    assert f"~{lesson.minutes} min" in page
    for tag in lesson.tags.all():
        assert f'href="/tags/{tag.slug}/"' in page
    assert lesson.get_level_display() in page and f"l{lesson.level}<" not in page
    assert "피파 한 줄 정리" in page
    assert "On this page" in page and f'href="#{lesson.toc[0]["id"]}"' in page
    assert "Key Takeaways" in page
    assert "External links" in page and lesson.links[0]["url"] in page
    assert "Exercise" in page
    assert 'rel="next"' in page and 'rel="prev"' not in page


def test_last_lesson_links_back_but_not_forward(client, sample_content):
    last = (
        Lesson.objects.published().filter(course__slug="generative-media").order_by("order").last()
    )
    page = text_of(client.get(last.get_absolute_url()))
    assert "Lesson 10 of 10" in page
    assert 'rel="prev"' in page and 'rel="next"' not in page


def test_draft_lesson_is_404_for_learners_and_badged_for_staff(
    client, admin_client, sample_content
):
    draft = Lesson.objects.filter(status=Status.DRAFT).first()
    assert draft is not None, "the sample content should include a draft lesson"
    assert client.get(draft.get_absolute_url()).status_code == 404
    response = admin_client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert 'class="badge badge--draft"' in text_of(response)
    outline = admin_client.get(draft.course.get_absolute_url())
    assert draft.title in text_of(outline)
    assert draft.title not in text_of(client.get(draft.course.get_absolute_url()))


def test_archived_lesson_is_404(client, admin_client, sample_content):
    lesson = Lesson.objects.published().first()
    Lesson.objects.filter(id=lesson.id).update(status=Status.ARCHIVED)
    assert client.get(lesson.get_absolute_url()).status_code == 404
    assert admin_client.get(lesson.get_absolute_url()).status_code == 404


def test_unknown_pages_get_a_helpful_404(client, sample_content):
    response = client.get(lesson_url("generative-media", "no-such-lesson"))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_tag_page_lists_published_lessons_with_that_tag(client, sample_content):
    response = client.get(reverse("courses:tag-detail", kwargs={"tag_slug": "prompting"}))
    page = text_of(response)
    tagged = Lesson.objects.filter(tags__slug="prompting")
    for lesson in tagged.filter(status=Status.PUBLISHED):
        assert lesson.title in page
    for lesson in tagged.filter(status=Status.DRAFT):
        assert lesson.title not in page
    assert client.get("/tags/no-such-tag/").status_code == 404


def grow_course(tmp_path, lessons: int):
    root = tmp_path / f"content-{lessons}"
    course = write_course(root, "big")
    for order in range(1, lessons + 1):
        write_lesson(course, f"l{order}", order=order, tags="a, b, c" if order % 2 else "d")
    content_load(root=root)


@pytest.mark.parametrize("size", [2, 40])
def test_pages_use_a_constant_number_of_queries(client, tmp_path, size, django_assert_num_queries):
    grow_course(tmp_path, size)
    # The first page after a content change also lists the lessons scheduled to appear
    # (lessons.caching.pages keys pages on the next such moment): 1 query, once per content version.
    with django_assert_num_queries(2):
        assert client.get("/").status_code == 200
    # Course and lesson pages: 3 queries of their own; the learner bar's totals (levels,
    # published lessons, achievements, knowledge checks) 4 more, once per content version; the
    # course outline's checks per lesson 1, once per content version; the lesson page looks its
    # id up once (1) (these lessons have no checks), its discussion adds 1 for its whole thread, and
    # whether readers reported it out of date 1, once per change of those reports.
    with django_assert_num_queries(8):
        assert client.get("/courses/big/").status_code == 200
    with django_assert_num_queries(6):
        assert client.get(lesson_url("big", "l2")).status_code == 200
    with django_assert_num_queries(3):
        assert client.get("/tags/a/").status_code == 200
    # From then on every anonymous reader gets them from the cache (tests/courses/
    # test_page_cache.py).
    for url in ("/", "/courses/big/", lesson_url("big", "l2"), "/tags/a/"):
        with django_assert_num_queries(0):
            assert client.get(url).status_code == 200
