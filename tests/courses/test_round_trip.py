import difflib
import io
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Lesson, LessonRevision, Status
from courses.services import content_load
from tests.courses.conftest import lesson_form_data
from tests.courses.factories import write_lesson

pytestmark = pytest.mark.django_db


def load(root: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("load_content", str(root), *args, stdout=out)
    return out.getvalue()


def export(root: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("export_content", str(root), *args, stdout=out)
    return out.getvalue()


def files(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*.md"))
        if path.name != "README.md"
    }


def edit_in_admin(client, lesson: Lesson, **changes) -> None:
    response = client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, **changes),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors


# Conflicts between admin edits and changed files


def test_load_leaves_a_lesson_edited_in_admin_alone_and_reports_the_conflict(
    instructor_client, course_tree
):
    first = Lesson.objects.get(slug="first")
    edit_in_admin(instructor_client, first, title="Admin's better title")
    write_lesson(course_tree / "course-a", "first", order=1, title="File title", body="File text.")
    write_lesson(course_tree / "course-a", "second", order=2, title="Second from file")

    output = load(course_tree)
    assert "lessons: 0 created, 1 updated, 1 unchanged, 0 archived" in output
    assert "conflicts: 1" in output
    assert (
        "course-a/01-first.md: lesson 'first' (Admin's better title) was edited in admin by ines on"
        in output
    )
    assert Lesson.objects.get(pk=first.pk).title == "Admin's better title"
    assert Lesson.objects.get(slug="second").title == "Second from file"

    # The conflict stays until it is resolved; the unchanged file never overwrites anything.
    assert "conflicts: 1" in load(course_tree)


def test_unchanged_file_keeps_the_admin_edit_without_a_conflict(instructor_client, course_tree):
    first = Lesson.objects.get(slug="first")
    edit_in_admin(instructor_client, first, title="Admin's better title")
    output = load(course_tree)
    assert "lessons: 0 created, 0 updated, 3 unchanged, 0 archived" in output
    assert "conflicts: 0" in output
    assert Lesson.objects.get(pk=first.pk).title == "Admin's better title"


def test_force_overwrites_but_keeps_the_admin_version_as_a_revision(instructor_client, course_tree):
    first = Lesson.objects.get(slug="first")
    edit_in_admin(instructor_client, first, title="Admin's better title")
    write_lesson(course_tree / "course-a", "first", order=1, title="File title")

    output = load(course_tree, "--force")
    assert "lessons: 0 created, 1 updated, 2 unchanged, 0 archived" in output
    assert "conflicts: 0" in output
    first.refresh_from_db()
    assert first.title == "File title"
    kept = first.revisions.get(kind=LessonRevision.Kind.KEPT)
    assert kept.data["title"] == "Admin's better title"
    assert kept.author.username == "ines"
    assert first.revisions.first().kind == LessonRevision.Kind.LOADED
    assert "conflicts: 0" in load(course_tree)


def test_check_mode_reports_conflicts_too(instructor_client, course_tree):
    first = Lesson.objects.get(slug="first")
    edit_in_admin(instructor_client, first, title="Admin's better title")
    write_lesson(course_tree / "course-a", "first", order=1, title="File title")
    assert "conflicts: 1" in load(course_tree, "--check")


def test_a_file_for_a_lesson_made_in_admin_is_a_conflict(instructor_client, course_tree):
    third = Lesson.objects.get(slug="third")
    data = lesson_form_data(third, slug="made-in-admin", title="Made in admin", order=4)
    instructor_client.post(reverse("admin:courses_lesson_add"), data)
    write_lesson(course_tree / "course-a", "made-in-admin", order=4, title="From a file")
    assert "conflicts: 1" in load(course_tree)
    assert Lesson.objects.get(slug="made-in-admin").title == "Made in admin"


def test_course_edited_in_admin_is_not_overwritten_either(admin_client, course_tree):
    course = Course.objects.get(slug="course-a")
    admin_client.post(
        reverse("admin:courses_course_change", args=[course.pk]),
        {
            "slug": "course-a",
            "title": "Renamed in admin",
            "tagline": "",
            "intro_md": "Hi.",
            "order": 1,
            "status": "published",
        },  # fmt: skip
    )
    course_md = course_tree / "course-a" / "course.md"
    course_md.write_text(course_md.read_text().replace("A course for tests.", "New tagline."))
    output = load(course_tree)
    assert "courses: 0 created, 0 updated, 0 unchanged, 0 archived" in output
    assert "course-a/course.md: course 'course-a' (Renamed in admin)" in output
    assert Course.objects.get(pk=course.pk).title == "Renamed in admin"


# Export


def test_export_of_the_sample_content_reproduces_the_hand_written_files(content_copy, tmp_path):
    content_load(root=content_copy)
    out = tmp_path / "exported"
    export(out)
    exported, original = files(out), files(content_copy)
    assert exported.keys() == original.keys()
    # Written from scratch, a file can differ from the hand-written one only in choices that
    # carry no meaning: quotes the author put where YAML needs none, and the order of tags
    # (which the database does not keep). Everything else, bodies included, is identical.
    identical = 0
    for path, text in exported.items():
        removed, added = changed_lines(original[path], text)
        assert [meaning(line) for line in removed] == [meaning(line) for line in added], path
        identical += not removed
    assert identical > 0


def changed_lines(old: bytes, new: bytes) -> tuple[list[str], list[str]]:
    diff = list(difflib.unified_diff(old.decode().splitlines(), new.decode().splitlines(), n=0))
    removed = [line[1:] for line in diff[2:] if line.startswith("-")]
    added = [line[1:] for line in diff[2:] if line.startswith("+")]
    return removed, added


def meaning(front_matter_line: str):
    value = yaml.safe_load(front_matter_line.strip().removeprefix("- "))
    return {key: sorted(v) if key == "tags" else v for key, v in value.items()}


def test_export_then_load_reports_no_change(content_copy, tmp_path):
    content_load(root=content_copy)
    before = list(Lesson.objects.order_by("pk").values("pk", "title", "body_html", "status"))
    out = tmp_path / "exported"
    export(out)
    output = load(out)
    assert "courses: 0 created, 0 updated, 2 unchanged, 0 archived" in output
    lessons = Lesson.objects.count()
    assert f"lessons: 0 created, 0 updated, {lessons} unchanged, 0 archived" in output
    assert "conflicts: 0" in output
    assert list(Lesson.objects.order_by("pk").values("pk", "title", "body_html", "status")) == (
        before
    )


def test_export_over_the_content_folder_changes_only_what_was_edited_in_admin(
    instructor_client, content_copy
):
    content_load(root=content_copy)
    original = files(content_copy)
    lesson = Lesson.objects.get(slug="how-diffusion-works")
    edit_in_admin(
        instructor_client,
        lesson,
        title="How Diffusion Models Really Work",
        publish_at=timezone.now() + timedelta(days=2),
    )

    output = export(content_copy)
    assert "files: 1 written" in output
    changed = {path for path, text in files(content_copy).items() if original[path] != text}
    assert changed == {"generative-media/02-how-diffusion-works.md"}
    diff = [
        line
        for line in difflib.unified_diff(
            original["generative-media/02-how-diffusion-works.md"].decode().splitlines(),
            (content_copy / "generative-media/02-how-diffusion-works.md").read_text().splitlines(),
            lineterm="",
        )
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert diff[0] == "-title: How Diffusion Models Work"
    assert diff[1] == "+title: How Diffusion Models Really Work"
    assert diff[2].startswith("+publish_at: 20")
    assert len(diff) == 3

    # Loading the export: nothing to update, no conflict, and the admin edit is now on file.
    output = load(content_copy)
    assert "lessons: 0 created, 0 updated" in output and "conflicts: 0" in output
    lesson.refresh_from_db()
    assert not lesson.edited_since_loaded
    assert lesson.is_scheduled
    assert "files: 0 written" in export(content_copy)


def test_export_does_not_overwrite_a_file_edited_since_it_was_loaded(course_tree):
    path = course_tree / "course-a" / "01-first.md"
    Lesson.objects.filter(slug="first").update(title="Changed in the database")
    path.write_text(path.read_text().replace("Some text.", "Unloaded work."))
    output = export(course_tree)
    assert "skipped: 1" in output and "course-a/01-first.md" in output
    assert "Unloaded work." in path.read_text()
    export(course_tree, "--force")
    assert "Changed in the database" in path.read_text()


def test_export_writes_lessons_made_in_admin_into_their_course_folder(
    instructor_client, course_tree
):
    third = Lesson.objects.get(slug="third")
    data = lesson_form_data(third, slug="made-in-admin", title="Made in admin", order=4)
    instructor_client.post(reverse("admin:courses_lesson_add"), data)
    Lesson.objects.filter(slug="second").update(status=Status.ARCHIVED)
    export(course_tree)
    assert (course_tree / "course-a" / "04-made-in-admin.md").is_file()
    output = load(course_tree)
    assert "lessons: 0 created" in output and "conflicts: 0" in output
    made = Lesson.objects.get(slug="made-in-admin")
    assert made.source_path == "course-a/04-made-in-admin.md"
    assert not made.edited_since_loaded


# The persona (a file's `persona`, the lesson's `persona` field)


def test_the_persona_survives_a_load_export_round_trip(instructor_client, course_tree):
    path = course_tree / "course-a" / "01-first.md"
    path.write_text(path.read_text().replace("summary:", "persona: 코난\nsummary:", 1))
    load(course_tree)
    first = Lesson.objects.get(slug="first")
    assert first.persona == "코난"

    edit_in_admin(instructor_client, first, persona="미미")
    assert "files: 1 written" in export(course_tree)
    assert "persona: 미미\n" in path.read_text()
    assert "lessons: 0 created, 0 updated, 3 unchanged" in load(course_tree)
    assert Lesson.objects.get(slug="first").persona == "미미"


def test_the_language_survives_a_load_export_round_trip(instructor_client, course_tree, tmp_path):
    path = course_tree / "course-a" / "01-first.md"
    path.write_text(path.read_text().replace("level: 1\n", "level: 1\nlanguage: ko\n", 1))
    load(course_tree)
    first = Lesson.objects.get(slug="first")
    assert first.language == "ko"

    edit_in_admin(instructor_client, first, language="en")
    assert "files: 1 written" in export(course_tree)
    assert "level: 1\nlanguage: en\n" in path.read_text()
    assert "lessons: 0 created, 0 updated, 3 unchanged" in load(course_tree)
    assert Lesson.objects.get(slug="first").language == "en"
    # A new file says the language too.
    export(tmp_path / "fresh")
    assert "\nlanguage: en\n" in (tmp_path / "fresh" / "course-a" / "01-first.md").read_text()


# Levels and achievements: an export is a complete content/ folder


def test_export_writes_the_rules_and_loading_them_back_changes_nothing(content_copy, tmp_path):
    load(content_copy)
    out = tmp_path / "exported"
    output = export(out)
    assert "wrote levels.yaml" in output and "wrote achievements.yaml" in output
    again = load(out)
    assert "levels: 11 unchanged" in again
    assert "achievements: 0 created, 0 updated, 16 unchanged, 0 retired" in again
    assert "courses: 0 created, 0 updated, 2 unchanged, 0 archived" in again
    assert "files: 0 written" in export(out)


def test_export_leaves_rules_files_that_say_the_same_untouched(content_copy):
    load(content_copy)
    before = {name: (content_copy / name).read_bytes() for name in RULES_FILES}
    output = export(content_copy)
    assert "files: 0 written" in output
    assert {name: (content_copy / name).read_bytes() for name in RULES_FILES} == before


def test_export_does_not_overwrite_a_rules_file_edited_since_it_was_loaded(content_copy):
    load(content_copy)
    levels = content_copy / "levels.yaml"
    levels.write_text(levels.read_text().replace("xp: 200", "xp: 250"))
    output = export(content_copy)
    assert "skipped: 1" in output and "levels.yaml" in output
    assert "xp: 250" in levels.read_text()
    export(content_copy, "--force")
    assert "xp: 250" not in levels.read_text() and "  xp: 200\n" in levels.read_text()
    assert "levels: 11 unchanged" in load(content_copy)


def test_rules_text_that_yaml_would_misread_is_quoted_on_export(content_copy, tmp_path):
    achievements = content_copy / "achievements.yaml"
    text = achievements.read_text().replace(
        "name: {en: First steps, ko: 첫걸음}", 'name: {en: "Steps, first: #1", ko: "[첫걸음]"}'
    )
    achievements.write_text(text)
    load(content_copy)
    out = tmp_path / "exported"
    export(out)
    assert "achievements: 0 created, 0 updated, 16 unchanged" in load(out)


RULES_FILES = ("levels.yaml", "achievements.yaml")
