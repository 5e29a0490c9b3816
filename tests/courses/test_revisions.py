import pytest
from django.urls import reverse

from courses.models import Lesson, LessonRevision
from courses.revisions import revision_diff, revision_restore
from tests.courses.conftest import lesson_form_data

pytestmark = pytest.mark.django_db


def edit(client, lesson: Lesson, **changes):
    response = client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, **changes),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    lesson.refresh_from_db()
    return lesson


def test_loading_stores_a_first_revision(course_tree):
    lesson = Lesson.objects.get(slug="first")
    (revision,) = lesson.revisions.all()
    assert revision.kind == LessonRevision.Kind.LOADED
    assert revision.author is None
    assert revision.data["title"] == "Lesson first"


def test_every_admin_save_stores_who_when_and_what_changed(instructor_client, course_tree):
    lesson = edit(instructor_client, Lesson.objects.get(slug="first"), title="New title", xp=80)
    latest = lesson.revisions.first()
    assert latest.kind == LessonRevision.Kind.EDITED
    assert latest.author.username == "ines"
    assert latest.changed_fields == ["title", "xp"]
    assert latest.data["title"] == "New title"
    assert lesson.edited_at == lesson.revisions.first().created_at or lesson.edited_at


def test_saving_without_changes_stores_no_revision_and_is_not_an_edit(
    instructor_client, course_tree
):
    lesson = Lesson.objects.get(slug="first")
    edit(instructor_client, lesson)
    assert lesson.revisions.count() == 1
    assert lesson.edited_at is None


def test_revision_page_shows_the_diff_against_the_current_text(instructor_client, course_tree):
    lesson = Lesson.objects.get(slug="first")
    first_revision = lesson.revisions.get()
    edit(instructor_client, lesson, body_md="## First section\n\nRewritten text.\n")
    url = reverse("admin:courses_lesson_revision", args=[lesson.pk, first_revision.pk])
    page = instructor_client.get(url).content.decode()
    assert '<span class="diff__removed">-Some text.</span>' in page
    assert '<span class="diff__added">+Rewritten text.</span>' in page
    assert "Restore this revision" in page
    listing = instructor_client.get(reverse("admin:courses_lesson_revisions", args=[lesson.pk]))
    assert "edited in admin" in listing.content.decode()
    assert "loaded from content/" in listing.content.decode()


def test_restoring_a_revision_brings_the_text_back_as_a_new_revision(
    instructor_client, course_tree
):
    lesson = Lesson.objects.get(slug="first")
    original = lesson.revisions.get()
    edit(instructor_client, lesson, title="Worse title", body_md="Worse body.\n")
    assert lesson.revisions.count() == 2

    url = reverse("admin:courses_lesson_revision_restore", args=[lesson.pk, original.pk])
    response = instructor_client.post(url)
    assert response.status_code == 302
    lesson.refresh_from_db()
    assert lesson.title == "Lesson first"
    assert "Some text." in lesson.body_html  # rendered again on save
    assert lesson.revisions.count() == 3
    restored = lesson.revisions.first()
    assert restored.kind == LessonRevision.Kind.RESTORED
    assert restored.author.username == "ines"
    assert set(restored.changed_fields) == {"title", "body_md"}
    assert revision_diff(original, lesson) == []
    assert lesson.edited_by.username == "ines"  # a restore is an admin edit


def test_restore_refuses_a_slug_now_taken_by_another_lesson(instructor, course_tree):
    first = Lesson.objects.get(slug="first")
    original = first.revisions.get()
    Lesson.objects.filter(pk=first.pk).update(slug="renamed")
    Lesson.objects.filter(slug="second").update(slug="first")
    with pytest.raises(Exception, match="duplicate lesson slug 'first'"):
        revision_restore(revision=original, user=instructor)
    assert Lesson.objects.get(pk=first.pk).slug == "renamed"


def test_restore_is_post_only_and_needs_change_permission(client, course_tree, staff_user):
    lesson = Lesson.objects.get(slug="first")
    revision = lesson.revisions.get()
    url = reverse("admin:courses_lesson_revision_restore", args=[lesson.pk, revision.pk])
    client.force_login(staff_user)  # staff, but not an instructor
    assert client.post(url).status_code == 403


def test_revisions_stored_before_the_persona_rename_are_still_read(instructor, course_tree):
    lesson = Lesson.objects.get(slug="first")
    old = lesson.revisions.get()
    data = {name: value for name, value in old.data.items() if name != "persona"}
    LessonRevision.objects.filter(pk=old.pk).update(
        data={**data, "summary_by": "옛이름"}, changed_fields=["title", "summary_by"]
    )
    old.refresh_from_db()
    assert old.changed_field_names == ["title", "persona"]
    assert [diff.name for diff in revision_diff(old, lesson)] == ["persona"]
    revision_restore(revision=old, user=instructor)
    assert Lesson.objects.get(pk=lesson.pk).persona == "옛이름"
