"""Content files are trusted, but not blindly: links that lead out of the content folder,
things that are not files, files too large, YAML aliases, values too long to echo and markdown
nested deeper than the renderer takes are all refused with a short `file: message`, and the
database is left as it was."""

import io
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from courses.content import ContentError
from courses.models import Course, Lesson, LessonRevision, Tag
from courses.services import content_load
from progress.models import Achievement, Level
from tests.courses.conftest import lesson_form_data
from tests.courses.factories import COURSE, lesson_text, write_course, write_lesson

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024

# The classic "billion laughs": nine lines that stand for 9**9 strings.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
ANCHORS_REFUSED = "YAML anchors and aliases (&name, *name) are not allowed"


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "content"
    course = write_course(root, "course-a")
    write_lesson(course, "first", order=1)
    write_lesson(course, "second", order=2)
    return root


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the content root, holding files that would load if they were inside."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    (folder / "lesson.md").write_text(lesson_text("stolen", order=9), encoding="utf-8")
    (folder / "course.md").write_text(
        COURSE.format(title="Elsewhere", slug="elsewhere", order=9), encoding="utf-8"
    )
    return folder


def problems_of(root: Path) -> list[str]:
    with pytest.raises(ContentError) as caught:
        content_load(root=root)
    return [str(problem) for problem in caught.value.errors]


def front_matter_with(**fields: str) -> str:
    """A valid lesson file (slug `third`, order 3) with some front matter lines replaced, or
    added before `status`."""
    lines = lesson_text("third", order=3).split("\n")
    for name, value in fields.items():
        found = [i for i, line in enumerate(lines) if line.startswith(f"{name}:")]
        if found:
            lines[found[0]] = f"{name}: {value}"
        else:
            lines.insert(lines.index("status: published"), f"{name}: {value}")
    return "\n".join(lines)


def line_of(text: str, start: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), start=1) if line.startswith(start))


def lesson_with_body(body: str) -> str:
    return lesson_text("third", order=3, body=body)


def body_line(text: str) -> int:
    """The line of `text` where the factory lesson's body paragraph starts."""
    return text.split("\n").index("## First section") + 3


def database_state() -> dict[str, list]:
    return {
        "courses": list(Course.objects.order_by("id").values()),
        "lessons": list(Lesson.objects.order_by("id").values()),
        "tags": list(Tag.objects.order_by("id").values_list("id", "slug")),
        "lesson_tags": list(
            Lesson.tags.through.objects.order_by("id").values_list("lesson_id", "tag_id")
        ),
        "revisions": list(LessonRevision.objects.order_by("id").values_list("id", flat=True)),
        "levels": list(Level.objects.order_by("number").values()),
        "achievements": list(Achievement.objects.order_by("id").values()),
    }


# --- Symbolic links ---------------------------------------------------------------------------


def test_a_lesson_linked_from_outside_the_root_is_refused(tree, outside):
    (tree / "course-a" / "03-stolen.md").symlink_to(outside / "lesson.md")
    [problem] = problems_of(tree)
    assert problem.startswith("course-a/03-stolen.md: is a symbolic link to a file outside")
    assert "only links that stay inside it are followed" in problem


def test_a_relative_link_climbing_out_of_the_root_is_refused(tree, outside):
    (tree / "course-a" / "03-stolen.md").symlink_to(Path("../../elsewhere/lesson.md"))
    [problem] = problems_of(tree)
    assert problem.startswith("course-a/03-stolen.md: is a symbolic link to a file outside")


def test_a_link_to_a_link_that_leads_outside_is_refused(tree, outside):
    (tree / "_links").mkdir()
    (tree / "_links" / "hop.md").symlink_to(outside / "lesson.md")
    (tree / "course-a" / "03-stolen.md").symlink_to(tree / "_links" / "hop.md")
    [problem] = problems_of(tree)
    assert problem.startswith("course-a/03-stolen.md: is a symbolic link to a file outside")


def test_a_course_file_linked_from_outside_the_root_is_refused(tree, outside):
    course = tree / "course-b"
    course.mkdir()
    (course / "course.md").symlink_to(outside / "course.md")
    [problem] = problems_of(tree)
    assert problem.startswith("course-b/course.md: is a symbolic link to a file outside")


def test_a_course_folder_linked_from_outside_the_root_is_refused(tree, outside):
    (outside / "lesson.md").rename(outside / "01-stolen.md")
    (tree / "course-b").symlink_to(outside, target_is_directory=True)
    [problem] = problems_of(tree)
    assert problem.startswith("course-b/: is a symbolic link to a folder outside")
    assert not Course.objects.exists()


def test_links_inside_the_root_are_followed_and_only_the_outside_one_is_refused(tree, outside):
    shared = tree / "_shared"
    shared.mkdir()
    (shared / "03-shared.md").write_text(lesson_text("shared", order=3), encoding="utf-8")
    (tree / "course-a" / "03-shared.md").symlink_to(Path("../_shared/03-shared.md"))
    (tree / "course-a" / "04-stolen.md").symlink_to(outside / "lesson.md")
    [problem] = problems_of(tree)
    assert problem.startswith(
        "course-a/04-stolen.md: is a symbolic link to a file outside the content folder ("
    )
    assert problem.endswith("); only links that stay inside it are followed")
    (tree / "course-a" / "04-stolen.md").unlink()
    content_load(root=tree)
    assert Lesson.objects.get(slug="shared").source_path == "course-a/03-shared.md"


def test_a_broken_link_named_like_a_lesson_is_refused(tree):
    (tree / "course-a" / "03-gone.md").symlink_to(tree / "course-a" / "nowhere.md")
    assert problems_of(tree) == ["course-a/03-gone.md: does not exist (a broken symbolic link?)"]


def test_a_loop_of_links_is_refused(tree):
    folder = tree / "course-a"
    (folder / "03-ping.md").symlink_to(folder / "04-pong.md")
    (folder / "04-pong.md").symlink_to(folder / "03-ping.md")
    problems = problems_of(tree)
    assert problems == [
        "course-a/03-ping.md: is a symbolic link that leads nowhere (a loop?)",
        "course-a/04-pong.md: is a symbolic link that leads nowhere (a loop?)",
    ]


# --- Things that are not regular files --------------------------------------------------------


def test_a_named_pipe_named_like_a_lesson_is_refused_without_waiting_for_it(tree):
    os.mkfifo(tree / "course-a" / "03-pipe.md")
    started = time.monotonic()
    assert problems_of(tree) == ["course-a/03-pipe.md: is a named pipe (FIFO), not a regular file"]
    assert time.monotonic() - started < 5


def test_a_named_pipe_as_course_file_is_refused(tree):
    (tree / "course-b").mkdir()
    os.mkfifo(tree / "course-b" / "course.md")
    assert problems_of(tree) == ["course-b/course.md: is a named pipe (FIFO), not a regular file"]


def test_a_folder_named_like_a_lesson_is_refused(tree):
    (tree / "course-a" / "03-notes.md").mkdir()
    assert problems_of(tree) == ["course-a/03-notes.md: is a folder, not a regular file"]


def test_a_link_to_a_named_pipe_inside_the_root_is_refused(tree):
    os.mkfifo(tree / "_pipe")
    (tree / "course-a" / "03-pipe.md").symlink_to(tree / "_pipe")
    assert problems_of(tree) == ["course-a/03-pipe.md: is a named pipe (FIFO), not a regular file"]


# --- The size limit ---------------------------------------------------------------------------


def test_a_file_over_the_configured_limit_is_refused_naming_the_file_and_the_limit(tree, settings):
    settings.CONTENT_MAX_FILE_BYTES = 4096
    text = lesson_with_body("word " * 1000)
    (tree / "course-a" / "03-big.md").write_text(text, encoding="utf-8")
    size = len(text.encode())
    assert problems_of(tree) == [
        f"course-a/03-big.md: is {size:,} bytes, over the limit of 4,096 bytes "
        "(CONTENT_MAX_FILE_BYTES)"
    ]


def test_a_file_at_the_limit_still_loads(tree, settings):
    text = lesson_with_body("word " * 1000)
    (tree / "course-a" / "03-big.md").write_text(text, encoding="utf-8")
    settings.CONTENT_MAX_FILE_BYTES = len(text.encode())
    content_load(root=tree)
    assert Lesson.objects.filter(slug="third").exists()
    settings.CONTENT_MAX_FILE_BYTES = len(text.encode()) - 1
    assert "over the limit" in problems_of(tree)[0]


def test_the_default_limit_is_two_mebibytes(tree):
    with open(tree / "course-a" / "03-huge.md", "wb") as huge:
        huge.truncate(3 * MIB)  # sparse: no disk, and no memory unless it is read
    assert problems_of(tree) == [
        "course-a/03-huge.md: is 3,145,728 bytes, over the limit of 2,097,152 bytes "
        "(CONTENT_MAX_FILE_BYTES)"
    ]


def test_a_course_file_over_the_limit_is_refused(tree, settings):
    settings.CONTENT_MAX_FILE_BYTES = 200
    (tree / "course-a" / "course.md").write_text(
        COURSE.format(title="A", slug="course-a", order=1) + "More. " * 100, encoding="utf-8"
    )
    problems = problems_of(tree)
    assert problems[0].startswith("course-a/course.md: is ")
    assert "over the limit of 200 bytes (CONTENT_MAX_FILE_BYTES)" in problems[0]


def test_a_file_over_the_limit_is_refused_without_being_read_into_memory(tree):
    with open(tree / "course-a" / "03-huge.md", "wb") as huge:
        huge.truncate(64 * MIB)
    tracemalloc.start()
    try:
        problems = problems_of(tree)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "over the limit of 2,097,152 bytes" in problems[0]
    assert peak < 16 * MIB


# --- YAML anchors and aliases -----------------------------------------------------------------


def test_the_billion_laughs_is_refused_at_once_with_one_short_message(tree):
    text = "---\n" + ALIAS_BOMB + lesson_text("third", order=3).removeprefix("---\n")
    (tree / "course-a" / "03-laughs.md").write_text(text, encoding="utf-8")
    started = time.monotonic()
    problems = problems_of(tree)
    assert time.monotonic() - started < 2
    assert problems == [f"course-a/03-laughs.md:2: {ANCHORS_REFUSED}"]


def test_an_alias_bomb_in_a_field_that_is_echoed_is_refused_briefly(tree):
    # Five levels (59,049 strings) that today's message about an invalid tag writes out whole.
    bomb = ALIAS_BOMB.split("\n")[:5]
    text = front_matter_with(tags="*e").replace("tags: *e", "\n".join(bomb) + "\ntags: *e")
    (tree / "course-a" / "03-laughs.md").write_text(text, encoding="utf-8")
    problems = problems_of(tree)
    assert problems == [f"course-a/03-laughs.md:{line_of(text, 'a: &a')}: {ANCHORS_REFUSED}"]


def test_an_alias_between_fields_is_refused_on_the_anchors_line(tree):
    text = front_matter_with(title="&words A title", summary="*words")
    (tree / "course-a" / "03-alias.md").write_text(text, encoding="utf-8")
    assert problems_of(tree) == [f"course-a/03-alias.md:2: {ANCHORS_REFUSED}"]


def test_an_anchor_alone_is_refused_but_ampersands_and_asterisks_in_text_are_fine(tree):
    folder = tree / "course-a"
    (folder / "03-anchor.md").write_text(front_matter_with(minutes="&five 5"), encoding="utf-8")
    write_lesson(folder, "fourth", order=4, title="Fish & chips, *really*", summary="A & *b*")
    problems = problems_of(tree)
    assert len(problems) == 1
    assert problems[0].startswith("course-a/03-anchor.md:")
    assert problems[0].endswith(ANCHORS_REFUSED)


def test_an_anchor_in_a_course_file_is_refused(tree):
    (tree / "course-a" / "course.md").write_text(
        "---\ntitle: &t Course A\nslug: course-a\norder: 1\ntagline: *t\n---\n\nIntro.\n",
        encoding="utf-8",
    )
    assert problems_of(tree) == [f"course-a/course.md:2: {ANCHORS_REFUSED}"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-02-30", "cannot read this value: day is out of range for month"),
        ("2025-06-01 25:00:00", "cannot read this value: hour must be in 0..23"),
        ("1" * 5000, "cannot read this value: Exceeds the limit (4300 digits)"),
    ],
    ids=["30-february", "hour-25", "5000-digits"],
)
def test_a_value_yaml_cannot_make_is_a_problem_on_its_line_not_a_traceback(tree, value, message):
    text = front_matter_with(publish_at=value)
    (tree / "course-a" / "03-odd.md").write_text(text, encoding="utf-8")
    [problem] = problems_of(tree)
    line = line_of(text, "publish_at:")
    assert problem.startswith(f"course-a/03-odd.md:{line}: broken YAML in the front matter: ")
    assert message in problem
    assert len(problem) < 200


# --- Values in messages stay short ------------------------------------------------------------

A_MEGABYTE = "x" * MIB
NOT_A_SLUG = "X" * MIB  # a lowercase one only breaks the length limit, which shows no value


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"slug": NOT_A_SLUG}, "slug"),
        ({"tags": f"[{NOT_A_SLUG}]"}, "tags"),
        ({"level": A_MEGABYTE}, "level"),
        ({"publish_at": A_MEGABYTE}, "publish_at"),
        ({"order": A_MEGABYTE}, "order"),
        ({"minutes": A_MEGABYTE}, "minutes"),
        ({"status": A_MEGABYTE}, "status"),
        ({"url": f"https://{A_MEGABYTE}"}, "links[1]"),
        ({"?": A_MEGABYTE}, "x" * 79 + "…"),
    ],
    ids=["slug", "tag", "level", "publish_at", "order", "minutes", "status", "url", "field"],
)
def test_a_megabyte_value_is_shown_in_at_most_80_characters(tree, fields, field):
    ((name, value),) = fields.items()
    if name == "url":
        text = front_matter_with().replace("url: https://example.com/", f"url: {value}")
    elif name == "?":  # a key of any length must be written as an explicit one
        text = front_matter_with().replace("status:", f"? {value}\n: 1\nstatus:")
    else:
        text = front_matter_with(**{name: value})
    (tree / "course-a" / "03-long.md").write_text(text, encoding="utf-8")
    problems = problems_of(tree)
    assert any(f": {field}: " in problem for problem in problems), problems
    for problem in problems:
        assert len(problem) < 300, problem[:300]
    assert any("…" in problem for problem in problems)


def test_a_megabyte_course_slug_is_shown_in_at_most_80_characters(tree):
    (tree / "course-a" / "course.md").write_text(
        COURSE.format(title="A", slug="X" * MIB, order=1), encoding="utf-8"
    )
    problems = problems_of(tree)
    assert problems and all(len(problem) < 300 for problem in problems)
    assert "course-a/course.md:3: slug: 'XXXXXXXX" in problems[0]
    assert "…" in problems[0]


def test_the_whole_error_of_a_file_full_of_long_values_stays_short(tree):
    text = front_matter_with(
        slug=NOT_A_SLUG, order=A_MEGABYTE, level=A_MEGABYTE, tags=f"[{NOT_A_SLUG}, {NOT_A_SLUG}]"
    )
    (tree / "course-a" / "03-long.md").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        content_load(root=tree)
    assert len(str(caught.value)) < 2000


# --- Markdown nested deeper than the renderer takes -------------------------------------------


def nested_lists(levels: int) -> str:
    return "\n".join("    " * level + "- item" for level in range(levels))


def nested_admonitions(levels: int) -> str:
    return "\n".join("    " * level + "!!! note" for level in range(levels)) + (
        "\n" + "    " * levels + "text"
    )


@pytest.mark.parametrize(
    ("body", "starts", "message"),
    [
        (">" * 2000 + " quoted", 0, "quotes, lists and indented blocks nested 2000 levels deep;"),
        ("> " * 2000 + "quoted", 0, "quotes, lists and indented blocks nested 2000 levels deep;"),
        ("- " * 2000 + "item", 0, "quotes, lists and indented blocks nested 2000 levels deep;"),
        ("1. " * 2000 + "item", 0, "quotes, lists and indented blocks nested 2000 levels deep;"),
        (nested_lists(300), 1, "quotes, lists and indented blocks nested 101 levels deep by line"),
        (nested_admonitions(150), 1, "nested 101 levels deep by line"),
        ("[" * 2000 + "link" + "]" * 2000, 0, "2000 '[' open at once; at most 100 are allowed"),
        ("[" * 2000 + " never closed", 0, "2000 '[' open at once; at most 100 are allowed"),
        ("[a " * 60 + "\n" + "[b " * 60, 0, "120 '[' open at once by line"),
    ],
    ids=[
        "quotes", "spaced-quotes", "one-line-lists", "ordered-lists", "indented-lists",
        "admonitions", "brackets", "open-brackets", "brackets-over-two-lines",
    ],
)  # fmt: skip
def test_markdown_nested_too_deep_is_refused_where_the_nesting_starts(tree, body, starts, message):
    text = lesson_with_body(body)
    (tree / "course-a" / "03-deep.md").write_text(text, encoding="utf-8")
    [problem] = problems_of(tree)
    assert problem.startswith(f"course-a/03-deep.md:{body_line(text) + starts}: ")
    assert message in problem
    assert problem.endswith("allowed")
    assert not Lesson.objects.exists()


def test_nesting_inside_the_takeaways_block_is_reported_on_its_line_in_the_file(tree):
    text = lesson_text("third", order=3).replace(
        "    - One thing to keep.", "    " + "> " * 500 + "kept"
    )
    (tree / "course-a" / "03-deep.md").write_text(text, encoding="utf-8")
    line = text.split("\n").index("!!! takeaways") + 2
    assert problems_of(tree) == [
        f"course-a/03-deep.md:{line}: quotes, lists and indented blocks nested 500 levels deep; "
        "at most 100 levels are allowed"
    ]


def test_nesting_in_a_course_introduction_is_refused(tree):
    intro = "\n".join("    " * level + "- item" for level in range(120))
    (tree / "course-a" / "course.md").write_text(
        COURSE.format(title="A", slug="course-a", order=1).replace("An introduction.", intro),
        encoding="utf-8",
    )
    [problem] = problems_of(tree)
    assert problem.startswith("course-a/course.md:9: quotes, lists and indented blocks nested")


def test_the_limit_is_100_levels_which_still_render(tree):
    folder = tree / "course-a"
    allowed = "> " * 100 + "deep but allowed\n\n" + "[" * 100 + "x" + "]" * 100
    (folder / "03-deep.md").write_text(lesson_with_body(allowed), encoding="utf-8")
    (folder / "04-lists.md").write_text(
        lesson_text("fourth", order=4, body=nested_lists(100)), encoding="utf-8"
    )
    (folder / "05-over.md").write_text(
        lesson_text("fifth", order=5, body="> " * 101 + "one too many"), encoding="utf-8"
    )
    [problem] = problems_of(tree)
    assert problem.startswith("course-a/05-over.md:")
    assert "nested 101 levels deep; at most 100 levels are allowed" in problem
    (folder / "05-over.md").unlink()
    content_load(root=tree)
    assert "deep but allowed" in Lesson.objects.get(slug="third").body_html
    assert Lesson.objects.get(slug="fourth").body_html.count("<ul>") == 100


def test_emphasis_too_deep_for_the_renderer_is_a_problem_of_the_file_not_a_traceback(tree):
    # Not counted by the check; Python-Markdown raises RecursionError, while saving.
    text = lesson_with_body("*" * 3000 + "a" + "*" * 3000)
    (tree / "course-a" / "03-stars.md").write_text(text, encoding="utf-8")
    [problem] = problems_of(tree)
    body = text.split("\n").index("---", 1) + 2
    assert problem == (
        f"course-a/03-stars.md:{body}: nested too deeply for the renderer (quotes, lists, "
        "indented blocks, brackets or emphasis); at most 100 levels are allowed"
    )
    assert not Lesson.objects.exists() and not Course.objects.exists()


def test_render_lesson_markdown_raises_its_own_error_never_recursion_error():
    from lessons.markup import MarkdownNestingError, render_lesson_markdown

    for text in ("- " * 2000 + "a", nested_lists(400), "*" * 3000 + "a" + "*" * 3000):
        with pytest.raises(MarkdownNestingError):
            render_lesson_markdown(text)


def test_the_lesson_form_reports_nesting_as_a_form_error(instructor_client, tree):
    content_load(root=tree)
    lesson = Lesson.objects.get(slug="first")
    url = reverse("admin:courses_lesson_change", args=[lesson.pk])
    cases = {
        "body_md": "Intro.\n\n" + "> " * 2000 + "deep",
        "takeaways_md": nested_lists(200),
        "exercise_md": "*" * 3000 + "a" + "*" * 3000,
    }
    for field, markdown in cases.items():
        response = instructor_client.post(url, lesson_form_data(lesson, **{field: markdown}))
        assert response.status_code == 200, field
        errors = response.context["adminform"].form.errors[field]
        assert len(errors) == 1, errors
        assert errors[0].startswith("line ") or errors[0].startswith("nested too deeply")
    body_errors = (
        instructor_client.post(url, lesson_form_data(lesson, body_md=cases["body_md"]))
        .context["adminform"]
        .form.errors["body_md"]
    )
    assert body_errors == [
        "line 3: quotes, lists and indented blocks nested 2000 levels deep; "
        "at most 100 levels are allowed"
    ]
    assert Lesson.objects.get(pk=lesson.pk).body_md == lesson.body_md


def test_the_lesson_preview_reports_nesting_instead_of_failing(instructor_client, tree):
    content_load(root=tree)
    lesson = Lesson.objects.get(slug="first")
    response = instructor_client.post(
        reverse("admin:courses_lesson_preview", args=[lesson.pk]),
        lesson_form_data(lesson, body_md="[" * 3000),
    )
    assert response.status_code == 400
    assert "line 1: 3000 &#x27;[&#x27; open at once" in response.content.decode()


def test_the_course_form_reports_nesting_in_the_introduction(admin_client, tree):
    content_load(root=tree)
    course = Course.objects.get()
    response = admin_client.post(
        reverse("admin:courses_course_change", args=[course.pk]),
        {
            "title": course.title,
            "slug": course.slug,
            "tagline": course.tagline,
            "intro_md": "- " * 2000 + "deep",
            "order": course.order,
            "status": course.status,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["intro_md"] == [
        "line 1: quotes, lists and indented blocks nested 2000 levels deep; "
        "at most 100 levels are allowed"
    ]


# --- The database is left as it was -----------------------------------------------------------


def _symlink_out(root: Path, outside: Path) -> str:
    (root / "generative-media" / "99-stolen.md").symlink_to(outside / "lesson.md")
    return "generative-media/99-stolen.md: is a symbolic link to a file outside"


def _fifo(root: Path, outside: Path) -> str:
    os.mkfifo(root / "generative-media" / "99-pipe.md")
    return "generative-media/99-pipe.md: is a named pipe (FIFO), not a regular file"


def _too_large(root: Path, outside: Path) -> str:
    with open(root / "prompt-craft" / "99-huge.md", "wb") as huge:
        huge.truncate(3 * MIB)
    return "prompt-craft/99-huge.md: is 3,145,728 bytes, over the limit"


def _alias_bomb(root: Path, outside: Path) -> str:
    text = "---\n" + ALIAS_BOMB + lesson_text("laughs", order=99).removeprefix("---\n")
    (root / "prompt-craft" / "99-laughs.md").write_text(text, encoding="utf-8")
    return f"prompt-craft/99-laughs.md:2: {ANCHORS_REFUSED}"


def _long_value(root: Path, outside: Path) -> str:
    text = lesson_text("long", order=99).replace("level: 1", f"level: {A_MEGABYTE}")
    (root / "prompt-craft" / "99-long.md").write_text(text, encoding="utf-8")
    return f"prompt-craft/99-long.md:{line_of(text, 'level:')}: level: unknown level 'xxxxx"


def _deep_quotes(root: Path, outside: Path) -> str:
    text = lesson_text("deep", order=99, body="> " * 2000 + "deep")
    (root / "prompt-craft" / "99-deep.md").write_text(text, encoding="utf-8")
    return f"prompt-craft/99-deep.md:{body_line(text)}: quotes, lists and indented blocks"


def _deep_emphasis(root: Path, outside: Path) -> str:
    # Refused only while the lessons are being written: what was written must be undone.
    text = lesson_text("deep", order=99, body="*" * 3000 + "a" + "*" * 3000)
    (root / "prompt-craft" / "99-deep.md").write_text(text, encoding="utf-8")
    return "prompt-craft/99-deep.md:"


@pytest.mark.parametrize(
    "spoil",
    [_symlink_out, _fifo, _too_large, _alias_bomb, _long_value, _deep_quotes, _deep_emphasis],
    ids=["symlink", "fifo", "size", "aliases", "long-value", "nesting", "renderer"],
)
def test_a_tree_with_one_bad_file_changes_nothing_in_the_database(content_copy, outside, spoil):
    call_command("load_content", str(content_copy), stdout=io.StringIO())
    before = database_state()
    # Changes that would be written, were it not for the bad file.
    for path in sorted(content_copy.glob("*/0*.md"))[:3]:
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", "utf-8")
    levels = content_copy / "levels.yaml"
    levels.write_text(levels.read_text(encoding="utf-8").replace("Spark", "Ember"), "utf-8")
    expected = spoil(content_copy, outside)
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_content", str(content_copy), stdout=io.StringIO(), stderr=err)
    assert expected in err.getvalue()
    assert len(err.getvalue()) < 2000
    assert database_state() == before
