import json
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Lesson, LessonRevision, Status
from tests.courses.conftest import lesson_form_data

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def change_url(lesson: Lesson) -> str:
    return reverse("admin:courses_lesson_change", args=[lesson.pk])


# The lesson list


def test_lesson_list_shows_number_status_bug_reports_and_who_edited(instructor_client, course_tree):
    second = Lesson.objects.get(slug="second")
    instructor_client.post(change_url(second), lesson_form_data(second, title="Second, edited"))
    page = text_of(instructor_client.get(reverse("admin:courses_lesson_changelist")))
    for heading in ("No.", "Order", "Title", "Status", "Minutes", "XP", "Open bug reports",
                    "Last edited"):  # fmt: skip
        assert heading in page, heading
    assert "02 / 03" in page
    assert "by ines" in page
    assert "from content/" in page
    # The order is editable right in the list.
    assert 'name="form-0-order"' in page


def test_lesson_list_filters_and_searches(instructor_client, course_tree):
    url = reverse("admin:courses_lesson_changelist")
    found = instructor_client.get(url, {"q": "Some text"}).context["cl"].result_count
    assert found == 3
    drafts = instructor_client.get(url, {"status__exact": "draft"}).context["cl"].result_count
    assert drafts == 0
    by_level = instructor_client.get(url, {"level": "1"}).context["cl"].result_count
    assert by_level == 3


def test_lesson_list_counts_open_bug_reports(instructor_client, course_tree, django_user_model):
    if not hasattr(Lesson, "bug_reports"):
        pytest.skip("comments.BugReport does not exist yet")
    from comments.models import BugReport

    lesson = Lesson.objects.get(slug="first")
    for status in ("new", "confirmed", "fixed"):
        BugReport.objects.create(lesson=lesson, category="typo", description="x", status=status)
    rows = instructor_client.get(reverse("admin:courses_lesson_changelist")).context["cl"]
    counts = {row.slug: row.open_bug_reports for row in rows.result_list}
    assert counts == {"first": 2, "second": 0, "third": 0}


# The lesson form


def test_lesson_form_has_fieldsets_a_monospace_editor_preview_and_view_on_site(
    instructor_client, course_tree
):
    lesson = Lesson.objects.get(slug="first")
    page = instructor_client.get(change_url(lesson)).content.decode()
    for legend in ("Publishing", "Details", "Summary", "Content"):
        assert legend in page
    assert re.search(r'<textarea name="body_md"[^>]*class="markdown-editor"', page)
    assert "admin_stream/admin.css" in page
    assert reverse("admin:courses_lesson_preview", args=[lesson.pk]) in page
    assert "View on site" in page
    assert reverse("admin:courses_lesson_revisions", args=[lesson.pk]) in page


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"links": json.dumps([{"title": "Broken", "url": "htp:/nowhere"}])},
            "links",
            "links[1]: bad URL 'htp:/nowhere': use a full http:// or https:// address",
        ),
        ({"slug": "second"}, "slug", "duplicate lesson slug 'second' (also in “Lesson second”"),
        ({"order": 3}, "order", "duplicate lesson order 3 (also in “Lesson third”"),
        (
            {"slug": "Bad_Slug"},
            "slug",
            "'Bad_Slug' is not a valid slug: use lowercase letters, digits and single hyphens",
        ),
        ({"minutes": 0}, "minutes", "must be between 1 and 600, not 0"),
        ({"summary": "x" * 501}, "summary", "is 501 characters long; the limit is 500"),
        (
            {"body_md": "Text\n\n!!! takeaways\n    - hidden in the body\n"},
            "body_md",
            "a '!!! takeaways' block belongs in",
        ),
        ({"exercise_md": ""}, "exercise_md", "This field is required."),
    ],
    ids=[
        "bad-url",
        "duplicate-slug",
        "duplicate-order",
        "bad-slug",
        "minutes",
        "summary-length",
        "block-in-body",
        "no-exercise",
    ],  # fmt: skip
)
def test_lesson_form_reports_problems_in_the_loaders_words(
    instructor_client, course_tree, changes, field, message
):
    lesson = Lesson.objects.get(slug="first")
    response = instructor_client.post(change_url(lesson), lesson_form_data(lesson, **changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors.get(field, [])), errors
    assert Lesson.objects.get(pk=lesson.pk).title == lesson.title


def test_saving_normalises_browser_line_endings(instructor_client, course_tree):
    lesson = Lesson.objects.get(slug="first")
    body = "## Heading\r\n\r\nNew text.\r\n"
    instructor_client.post(change_url(lesson), lesson_form_data(lesson, body_md=body))
    lesson.refresh_from_db()
    assert lesson.body_md == "## Heading\n\nNew text.\n"


# Preview


def test_preview_renders_the_unsaved_form_through_the_lesson_page_and_saves_nothing(
    instructor_client, course_tree
):
    lesson = Lesson.objects.get(slug="second")
    before = list(Lesson.objects.order_by("pk").values())
    revisions = LessonRevision.objects.count()
    data = lesson_form_data(
        lesson,
        title="A previewed title",
        body_md='## New part\n\n**Bold** <script>alert("x")</script> '
        '<a href="javascript:alert(1)" onclick="steal()">link</a>\n',
    )
    with CaptureQueriesContext(connection) as queries:
        response = instructor_client.post(
            reverse("admin:courses_lesson_preview", args=[lesson.pk]), data
        )
    assert response.status_code == 200
    assert [t.name for t in response.templates][:2] == [
        "courses/preview.html",
        "courses/lesson_detail.html",
    ]
    page = response.content.decode()
    assert '<h1 class="lesson__title" lang="en">A previewed title</h1>' in page
    assert "<strong>Bold</strong>" in page
    assert 'id="new-part"' in page  # the same table-of-contents ids as on the site
    assert "<script>" not in page.split("</header>", 1)[1].split("<footer", 1)[0]
    assert "alert(" not in page and "onclick" not in page and "javascript:" not in page
    assert "Lesson 02 of 3" in page
    assert "Preview" in page
    writes = [
        q["sql"]
        for q in queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
    ]
    assert writes == []
    assert list(Lesson.objects.order_by("pk").values()) == before
    assert LessonRevision.objects.count() == revisions


def test_preview_of_a_new_lesson_works_before_it_exists(instructor_client, course_tree):
    lesson = Lesson.objects.get(slug="third")
    data = lesson_form_data(lesson, slug="brand-new", title="Brand new lesson", order=9)
    count = Lesson.objects.count()
    response = instructor_client.post(reverse("admin:courses_lesson_preview"), data)
    assert response.status_code == 200
    page = text_of(response)
    assert "Brand new lesson" in page
    assert 'href="/tags/testing/"' in page  # tags from the form, not from the database
    assert Lesson.objects.count() == count


def test_preview_with_invalid_form_shows_the_problems(instructor_client, course_tree):
    lesson = Lesson.objects.get(slug="first")
    data = lesson_form_data(lesson, links=json.dumps([{"title": "x", "url": "nope"}]))
    response = instructor_client.post(
        reverse("admin:courses_lesson_preview", args=[lesson.pk]), data
    )
    assert response.status_code == 400
    assert "bad URL &#x27;nope&#x27;" in response.content.decode()


def test_preview_needs_lesson_permissions(client, course_tree, staff_user):
    client.force_login(staff_user)  # staff, but not an instructor
    lesson = Lesson.objects.get(slug="first")
    url = reverse("admin:courses_lesson_preview", args=[lesson.pk])
    assert client.post(url, lesson_form_data(lesson)).status_code == 403


# Publishing


def test_lesson_scheduled_for_tomorrow_appears_tomorrow_by_itself(client, course_tree):
    tomorrow = timezone.now() + timedelta(days=1)
    third = Lesson.objects.get(slug="third")
    Lesson.objects.filter(pk=third.pk).update(publish_at=tomorrow)

    assert client.get(third.get_absolute_url()).status_code == 404
    course_page = text_of(client.get(third.course.get_absolute_url()))
    assert "2 lessons" in course_page and third.title not in course_page
    second = Lesson.objects.get(slug="second")
    assert second.position().total == 2
    assert 'rel="next"' not in text_of(client.get(second.get_absolute_url()))

    later = tomorrow + timedelta(minutes=1)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client.get(third.get_absolute_url())
        assert response.status_code == 200
        assert "Lesson 03 of 3" in text_of(response)
        assert "3 lessons" in text_of(client.get(third.course.get_absolute_url()))
        assert Lesson.objects.published().count() == 3


def test_staff_see_a_scheduled_lesson_badged_as_scheduled(admin_client, course_tree):
    third = Lesson.objects.get(slug="third")
    Lesson.objects.filter(pk=third.pk).update(publish_at=timezone.now() + timedelta(days=1))
    page = text_of(admin_client.get(third.get_absolute_url()))
    assert "scheduled" in page and "Only staff can see this lesson." in page


def test_bulk_actions_publish_and_unpublish_with_revisions(instructor_client, course_tree):
    url = reverse("admin:courses_lesson_changelist")
    ids = list(Lesson.objects.filter(slug__in=["first", "second"]).values_list("pk", flat=True))
    instructor_client.post(url, {"action": "unpublish", "_selected_action": ids})
    assert set(Lesson.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"draft"}
    assert Lesson.objects.get(pk=ids[0]).edited_by.username == "ines"

    Lesson.objects.filter(slug="third").update(publish_at=timezone.now() + timedelta(days=3))
    everything = list(Lesson.objects.values_list("pk", flat=True))
    instructor_client.post(url, {"action": "publish", "_selected_action": everything})
    assert Lesson.objects.published().count() == 3  # "publish" means now, schedule or not
    edits = LessonRevision.objects.filter(kind="edited").values_list("changed_fields", flat=True)
    assert any("status" in fields for fields in edits)


# Ordering


def reorder(client, orders: dict[str, int]):
    lessons = list(Lesson.objects.order_by("pk"))
    data = {
        "form-TOTAL_FORMS": len(lessons),
        "form-INITIAL_FORMS": len(lessons),
        "form-MIN_NUM_FORMS": 0,
        "form-MAX_NUM_FORMS": 1000,
        "_save": "Save",
    }
    for index, lesson in enumerate(lessons):
        data[f"form-{index}-id"] = lesson.pk
        data[f"form-{index}-order"] = orders.get(lesson.slug, lesson.order)
    return client.post(reverse("admin:courses_lesson_changelist"), data)


def test_reordering_in_the_list_renumbers_lessons_everywhere(
    client, instructor_client, course_tree
):
    response = reorder(instructor_client, {"first": 3, "third": 1})  # swap in one save
    assert response.status_code == 302
    third = Lesson.objects.get(slug="third")
    first = Lesson.objects.get(slug="first")
    assert "Lesson 01 of 3" in text_of(client.get(third.get_absolute_url()))
    assert "Lesson 03 of 3" in text_of(client.get(first.get_absolute_url()))
    outline = text_of(client.get(third.course.get_absolute_url()))
    assert outline.index(third.title) < outline.index("Lesson second") < outline.index(first.title)
    assert first.position().previous.slug == "second"
    lessons = list(Lesson.objects.all())
    numbers = {
        lesson.slug: position.number
        for lesson, position in zip(lessons, Lesson.objects.positions(lessons), strict=True)
    }
    assert numbers == {"third": 1, "second": 2, "first": 3}
    assert first.edited_by.username == "ines"


def test_reordering_into_a_taken_order_is_refused(instructor_client, course_tree):
    response = reorder(instructor_client, {"first": 2})
    assert response.status_code == 200
    assert "duplicate lesson order 2" in response.content.decode()
    assert Lesson.objects.get(slug="first").order == 1


def test_drafts_do_not_take_a_number(client, course_tree):
    Lesson.objects.filter(slug="first").update(status=Status.DRAFT)
    second = Lesson.objects.get(slug="second")
    assert "Lesson 01 of 2" in text_of(client.get(second.get_absolute_url()))
