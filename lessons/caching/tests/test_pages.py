"""Anonymous pages are built once per content version and language, and served from the cache."""

import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from comments.services import comment_post
from courses.cache_names import lesson_page
from courses.models import Course, Lesson, Status, Tag
from courses.services import content_load, lessons_set_status
from lessons.caching import pages as pagecache
from lessons.caching import versions
from tests.courses.conftest import lesson_form_data
from tests.courses.factories import write_lesson

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def pages(course_tree) -> dict[str, str]:
    lesson = Lesson.objects.get(slug="second")
    Tag.objects.get_or_create(slug="testing")
    return {
        "catalogue": "/",
        "course": lesson.course.get_absolute_url(),
        "lesson": lesson.get_absolute_url(),
        "tag": reverse("courses:tag-detail", kwargs={"tag_slug": "testing"}),
    }


@pytest.mark.parametrize("page", ["catalogue", "course", "lesson", "tag"])
def test_a_cached_page_costs_no_query_and_is_the_same_for_every_reader(
    pages, page, django_assert_num_queries
):
    url = pages[page]
    first = Client().get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = Client().get(url)
    assert again.status_code == 200
    assert again.content == first.content
    with django_assert_num_queries(0):
        assert Client().head(url).status_code == 200


def test_cached_pages_may_be_kept_briefly_by_browsers_and_proxies(client, pages, settings):
    settings.ANON_PAGE_MAX_AGE = 45
    for response in (client.get(pages["lesson"]), client.get(pages["lesson"])):  # miss, hit
        assert response["Cache-Control"] == "public, max-age=45"
        vary = {part.strip() for part in response["Vary"].split(",")}
        assert {"Accept-Language", "Cookie"} <= vary
        assert response["ETag"].startswith('"')
        assert response["Last-Modified"]


def test_a_reader_who_has_the_page_gets_304(client, pages):
    url = pages["course"]
    first = client.get(url)
    unchanged = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    assert unchanged["ETag"] == first["ETag"]
    assert unchanged.content == b""
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    older = http_date(timezone.now().timestamp() - 3600)
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=older).status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_the_etag_follows_the_page_not_the_moment_it_was_built(client, pages):
    before = client.get(pages["catalogue"])["ETag"]
    versions.bump(versions.CONTENT)  # nothing really changed: the rebuilt page is the same
    assert client.get(pages["catalogue"])["ETag"] == before


def test_each_language_has_its_own_copy_chosen_as_django_chose_the_language(client, pages):
    url = pages["lesson"]
    english = client.get(url)
    assert '<html lang="en">' in english.content.decode()
    korean = Client().get(url, HTTP_ACCEPT_LANGUAGE="ko")
    assert '<html lang="ko">' in korean.content.decode()
    # The language switch of an anonymous reader sets the django_language cookie, which
    # LocaleMiddleware reads before the browser's Accept-Language.
    switched = Client()
    switched.post(reverse("accounts:language"), {"language": "ko", "next": url})
    assert '<html lang="ko">' in switched.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert Client().get(url).content == english.content


def test_signed_in_readers_never_get_a_cached_page(client, pages, learner):
    url = pages["lesson"]
    client.get(url)  # an anonymous copy is in the cache
    me = Client()
    me.force_login(learner)
    response = me.get(url)
    assert "Mina" in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
    assert "Mina" not in Client().get(url).content.decode()


def test_staff_previews_of_drafts_are_never_cached(client, staff_client, course_tree):
    draft = Lesson.objects.get(slug="third")
    Lesson.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    versions.bump(versions.CONTENT)
    assert staff_client.get(draft.get_absolute_url()).status_code == 200
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert "Lesson third" not in text_of(client.get(draft.course.get_absolute_url()))


def test_messages_are_shown_and_the_page_with_them_is_not_cached(pages, learner):
    url = pages["lesson"]
    Client().get(url)  # cached without messages
    leaving = Client()
    leaving.force_login(learner)
    leaving.post(reverse("account_logout"))
    shown = leaving.get(url)
    assert "You have signed out." in shown.content.decode()
    assert "public" not in shown.get("Cache-Control", "")
    assert "You have signed out." not in leaving.get(url).content.decode()  # shown once
    assert "You have signed out." not in Client().get(url).content.decode()


def test_404s_are_not_cached(client, pages):
    url = reverse(
        "courses:lesson-detail", kwargs={"course_slug": "course-a", "lesson_slug": "fourth"}
    )
    assert client.get(url).status_code == 404
    assert "Cache-Control" not in client.get(url)


# --- What is never stored, whatever the view ----------------------------------------------------


def anonymous_get(path: str = "/anything/"):
    request = RequestFactory().get(path)
    request.user = AnonymousUser()
    return request


@pytest.mark.parametrize(
    "view",
    [
        pytest.param(lambda request: HttpResponse(get_token(request)), id="csrf-token"),
        pytest.param(
            lambda request: (response := HttpResponse("hi")).set_cookie("a", "b") or response,
            id="set-cookie",
        ),
        pytest.param(lambda request: HttpResponse("gone", status=410), id="not-200"),
    ],
)
def test_pages_with_a_token_a_cookie_or_another_status_are_not_stored(view):
    calls = []

    @pagecache.anonymous_page()
    def counted(request):
        calls.append(request)
        return view(request)

    counted(anonymous_get())
    response = counted(anonymous_get())
    assert len(calls) == 2
    assert "public" not in response.get("Cache-Control", "")


def test_a_plain_page_is_built_once():
    calls = []

    @pagecache.anonymous_page()
    def counted(request):
        calls.append(request)
        return HttpResponse("the same for all")

    counted(anonymous_get())
    counted(anonymous_get())
    assert len(calls) == 1
    counted(anonymous_get("/anything/?page=2"))  # a parameter the view does not read
    assert len(calls) == 1


def test_only_the_query_parameters_a_view_reads_make_copies_of_their_own():
    calls = []

    @pagecache.anonymous_page(query=["page"])
    def paged(request):
        calls.append(request)
        return HttpResponse(f"page {request.GET.get('page', '1')}")

    assert paged(anonymous_get("/paged/?page=2")).content == b"page 2"
    assert paged(anonymous_get("/paged/?utm_source=x&page=2")).content == b"page 2"
    assert paged(anonymous_get("/paged/?page=3")).content == b"page 3"
    assert len(calls) == 2


# --- Invalidation -------------------------------------------------------------------------------


def test_a_lesson_edited_in_admin_shows_at_once(client, instructor_client, pages):
    lesson = Lesson.objects.get(slug="second")
    client.get(pages["lesson"]), client.get(pages["course"])
    before = versions.current(versions.CONTENT, lesson_page(lesson.pk))
    instructor_client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, title="A better title"),
    )
    after = versions.current(versions.CONTENT, lesson_page(lesson.pk))
    assert after.split(".") != before.split(".")
    assert "A better title" in text_of(client.get(pages["lesson"]))
    assert "A better title" in text_of(client.get(pages["course"]))


def test_a_saved_lesson_bumps_content_and_its_own_version_only():
    course = Course.objects.create(slug="c", title="C")
    lesson = Lesson.objects.create(course=course, slug="l", title="L", order=1)
    other = Lesson.objects.create(course=course, slug="m", title="M", order=2)
    names = (versions.CONTENT, lesson_page(lesson.pk), lesson_page(other.pk))
    before = versions.current(*names).split(".")
    lesson.title = "L2"
    lesson.save()
    after = versions.current(*names).split(".")
    assert after[0] != before[0] and after[1] != before[1] and after[2] == before[2]


def test_publishing_and_unpublishing_show_at_once(client, instructor, pages):
    lesson = Lesson.objects.get(slug="second")
    assert client.get(pages["lesson"]).status_code == 200
    lessons_set_status(
        lessons=Lesson.objects.filter(pk=lesson.pk), status=Status.DRAFT, user=instructor
    )
    assert client.get(pages["lesson"]).status_code == 404
    assert "Lesson second" not in text_of(client.get(pages["course"]))
    lessons_set_status(
        lessons=Lesson.objects.filter(pk=lesson.pk), status=Status.PUBLISHED, user=instructor
    )
    assert client.get(pages["lesson"]).status_code == 200


def test_a_scheduled_lesson_appears_when_its_moment_passes(client, course_tree, settings):
    settings.ANON_PAGE_MAX_AGE = 60
    third = Lesson.objects.get(slug="third")
    soon = timezone.now() + timedelta(seconds=30)
    third.publish_at = soon
    third.save()
    course = third.course.get_absolute_url()
    page = client.get(course)
    assert "Lesson third" not in text_of(page)
    # Browsers may not keep it past the moment either.
    assert int(page["Cache-Control"].rsplit("=", 1)[1]) <= 30
    later = soon + timedelta(seconds=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert "Lesson third" in text_of(client.get(course))
        assert client.get(third.get_absolute_url()).status_code == 200
        assert client.get("/").status_code == 200


def test_a_content_load_shows_at_once_and_archives_what_is_gone(client, course_tree, pages):
    client.get(pages["lesson"]), client.get(pages["course"])
    course_dir = course_tree / "course-a"
    write_lesson(course_dir, "second", order=2, title="Second, rewritten")
    (course_dir / "03-third.md").unlink()
    content_load(root=course_tree)
    assert "Second, rewritten" in text_of(client.get(pages["lesson"]))
    outline = text_of(client.get(pages["course"]))
    assert "Second, rewritten" in outline and "Lesson third" not in outline
    third = Lesson.objects.get(slug="third")
    assert third.status == Status.ARCHIVED
    assert client.get(third.get_absolute_url()).status_code == 404


def test_a_course_edit_and_a_tag_change_show_at_once(client, pages):
    client.get(pages["catalogue"]), client.get(pages["tag"])
    course = Course.objects.get(slug="course-a")
    course.title = "A renamed course"
    course.save()
    assert "A renamed course" in text_of(client.get(pages["catalogue"]))
    lesson = Lesson.objects.get(slug="second")
    lesson.tags.clear()
    assert "Lesson second" not in text_of(client.get(pages["tag"]))
    Tag.objects.get(slug="testing").lessons.add(lesson)
    assert "Lesson second" in text_of(client.get(pages["tag"]))


def test_a_rules_load_shows_at_once(client, sample_content, content_copy):
    lesson = Lesson.objects.published().first()
    assert "Spark" in text_of(client.get(lesson.get_absolute_url()))
    levels = content_copy / "levels.yaml"
    levels.write_text(levels.read_text().replace("en: Spark", "en: Ember"))
    content_load(root=content_copy)
    assert "Ember" in text_of(client.get(lesson.get_absolute_url()))


def test_a_new_comment_shows_on_the_next_anonymous_request(
    client, pages, learner, django_capture_on_commit_callbacks
):
    lesson = Lesson.objects.get(slug="second")
    client.get(pages["lesson"])
    with django_capture_on_commit_callbacks(execute=True):
        comment_post(author=learner, lesson=lesson, body="A fresh thought on this lesson.")
    assert "A fresh thought on this lesson." in text_of(client.get(pages["lesson"]))
