"""content/levels.yaml and content/achievements.yaml are read as carefully as the lessons: no
links out of the content folder, nothing but regular files, a size limit, no YAML aliases,
short messages, and nothing loaded when anything is refused."""

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from courses.models import Lesson
from progress.models import Achievement, Level
from progress.rules_files import parse_achievements, parse_levels
from tests.progress.test_rules_files import load, load_failing, replace

pytestmark = pytest.mark.django_db

ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)
ANCHORS_REFUSED = "YAML anchors and aliases (&name, *name) are not allowed"
A_MEGABYTE = "x" * (1024 * 1024)
HALF = A_MEGABYTE[: 512 * 1024]


def pad(path: Path, size: int) -> None:
    """Make a rules file `size` bytes larger with a comment, so that it is the largest file."""
    with open(path, "a", encoding="utf-8") as file:
        file.write("# " + "padding " * (size // 8) + "\n")


def rules_state() -> tuple[list, list]:
    return (
        list(Level.objects.order_by("number").values()),
        list(Achievement.objects.order_by("id").values()),
    )


@pytest.fixture
def outside(tmp_path, content_copy) -> Path:
    """Valid rules files beside the content root, not in it."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    for name in ("levels.yaml", "achievements.yaml"):
        (folder / name).write_bytes((content_copy / name).read_bytes())
    return folder


@pytest.fixture
def unblocked_pipe() -> Iterator[None]:
    """Open, for a moment, every named pipe a reader is waiting on, so that a parser that
    opened one fails its test instead of hanging it."""
    pipes: list[Path] = []
    done = threading.Event()

    def let_readers_through() -> None:
        while not done.wait(0.2):
            for pipe in pipes:
                try:
                    os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
                except OSError:  # nobody is reading it
                    pass

    thread = threading.Thread(target=let_readers_through, daemon=True)
    thread.start()
    yield pipes
    done.set()
    thread.join()


# --- Symbolic links and what is not a file ----------------------------------------------------


@pytest.mark.parametrize("name", ["levels.yaml", "achievements.yaml"])
def test_a_rules_file_linked_from_outside_the_root_is_refused(content_copy, outside, name):
    (content_copy / name).unlink()
    (content_copy / name).symlink_to(outside / name)
    errors = load_failing(content_copy)
    assert f"{name}: is a symbolic link to a file outside the content folder (" in errors
    assert not Lesson.objects.exists() and not Level.objects.exists()


def test_a_rules_file_linked_from_inside_the_root_is_followed(content_copy, outside):
    (content_copy / "_rules").mkdir()
    (content_copy / "levels.yaml").rename(content_copy / "_rules" / "levels.yaml")
    (content_copy / "levels.yaml").symlink_to(Path("_rules/levels.yaml"))
    (content_copy / "achievements.yaml").unlink()
    (content_copy / "achievements.yaml").symlink_to(outside / "achievements.yaml")
    errors = load_failing(content_copy)
    assert "achievements.yaml: is a symbolic link to a file outside" in errors
    assert "levels.yaml" not in errors.replace("achievements.yaml", "")
    (content_copy / "achievements.yaml").unlink()
    assert "levels: 11 loaded" in load(content_copy)


@pytest.mark.parametrize("parse", [parse_levels, parse_achievements])
def test_a_named_pipe_as_rules_file_is_refused_without_being_opened(
    tmp_path, unblocked_pipe, parse
):
    pipe = tmp_path / "rules.yaml"
    os.mkfifo(pipe)
    unblocked_pipe.append(pipe)
    started = time.monotonic()
    rows, problems = parse(pipe, "rules.yaml")
    assert [str(problem) for problem in problems] == [
        "rules.yaml: is a named pipe (FIFO), not a regular file"
    ]
    assert rows == [] and time.monotonic() - started < 5


def test_a_folder_as_rules_file_is_refused(tmp_path):
    (tmp_path / "levels.yaml").mkdir()
    _, problems = parse_levels(tmp_path / "levels.yaml", "levels.yaml")
    assert [str(problem) for problem in problems] == [
        "levels.yaml: is a folder, not a regular file"
    ]


# --- The size limit ---------------------------------------------------------------------------


def test_a_rules_file_over_the_limit_is_refused_naming_it_and_the_limit(content_copy, settings):
    pad(content_copy / "achievements.yaml", 100_000)
    settings.CONTENT_MAX_FILE_BYTES = 50_000  # the lessons and levels.yaml are smaller
    size = (content_copy / "achievements.yaml").stat().st_size
    errors = load_failing(content_copy)
    assert errors == (
        f"achievements.yaml: is {size:,} bytes, over the limit of 50,000 bytes "
        "(CONTENT_MAX_FILE_BYTES)\n"
    )
    assert not Achievement.objects.exists() and not Level.objects.exists()


def test_a_rules_file_over_the_default_limit_is_refused(content_copy):
    with open(content_copy / "levels.yaml", "ab") as levels:
        levels.truncate(5 * 1024 * 1024)
    assert "levels.yaml: is 5,242,880 bytes, over the limit of 2,097,152 bytes" in (
        load_failing(content_copy)
    )


# --- YAML anchors and aliases -----------------------------------------------------------------


def test_an_alias_in_the_levels_is_refused_on_its_line(content_copy):
    replace(
        content_copy / "levels.yaml", "name: {en: Spark, ko: 불씨}", "name: &spark {en: S, ko: S}"
    )
    replace(content_copy / "levels.yaml", "name: {en: Kindling, ko: 불쏘시개}", "name: *spark")
    assert load_failing(content_copy) == f"levels.yaml:7: {ANCHORS_REFUSED}\n"


def test_the_billion_laughs_in_the_achievements_is_refused_at_once_and_briefly(content_copy):
    bomb = "".join(f"  {line}\n" for line in ALIAS_BOMB.strip().split("\n"))
    replace(
        content_copy / "achievements.yaml",
        "  rule: {lessons_completed: 1}\n",
        "  rule: {lessons_completed: 1}\n" + bomb + "  description: *i\n",
    )
    started = time.monotonic()
    errors = load_failing(content_copy)
    assert time.monotonic() - started < 5
    line = (content_copy / "achievements.yaml").read_text(encoding="utf-8").split("\n")
    anchor = line.index("  a: &a " + ALIAS_BOMB.split("&a ")[1].split("\n")[0]) + 1
    assert errors == f"achievements.yaml:{anchor}: {ANCHORS_REFUSED}\n"


def test_a_merge_key_is_refused_too(content_copy):
    replace(
        content_copy / "achievements.yaml",
        "- slug: first-steps\n",
        "- slug: first-steps\n  <<: &defaults {xp: 5}\n",
    )
    assert f"achievements.yaml:13: {ANCHORS_REFUSED}" in load_failing(content_copy)


# --- Values in messages stay short, and numbers stay storable ---------------------------------


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        # Half a megabyte, twice: the file stays under the size limit.
        ("slug: warming-up", f"slug: {HALF}", "achievements.yaml:18: slug: duplicate slug"),
        (
            "rule: {lessons_completed: 3}",
            f"rule: {{? {A_MEGABYTE}: 3}}",
            "achievements.yaml:22: rule: unknown rule",
        ),
        (
            "rule: {lessons_completed: 3}",
            f"rule: {{lessons_completed: {A_MEGABYTE}}}",
            "achievements.yaml:22: rule: lessons_completed needs a whole number",
        ),
        ("  xp: 20\n", f"  ? {A_MEGABYTE}\n  : 1\n", "achievements.yaml:23: " + "x" * 79 + "…:"),
    ],
    ids=["duplicate-slug", "rule-name", "rule-count", "field-name"],
)
def test_a_megabyte_value_in_the_achievements_is_shown_in_at_most_80_characters(
    content_copy, old, new, where
):
    if "duplicate" in where:  # the same long slug twice
        replace(content_copy / "achievements.yaml", "slug: first-steps", f"slug: {HALF}")
    replace(content_copy / "achievements.yaml", old, new)
    errors = load_failing(content_copy)
    assert where in errors
    assert "…" in errors
    assert len(errors) < 500


def test_a_megabyte_level_number_is_shown_in_at_most_80_characters(content_copy):
    replace(content_copy / "levels.yaml", "- number: 2", f"- number: {'9' * 4000}")
    errors = load_failing(content_copy)
    assert "levels.yaml:11: number: levels must be numbered 0, 1, 2, … in order" in errors
    assert len(errors) < 300


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "levels.yaml",
            "  xp: 450",
            "  xp: 99999999999",
            "levels.yaml:12: xp: must be a whole number of XP from 0 to 2,147,483,647",
        ),
        (
            "achievements.yaml",
            "rule: {lessons_completed: 3}",
            "rule: {lessons_completed: 99999999999}",
            "achievements.yaml:22: rule: lessons_completed needs a whole number from 1 to "
            "2,147,483,647, not 99999999999",
        ),
        (
            "levels.yaml",
            "  xp: 450",
            "  xp: 2025-02-30",
            "levels.yaml:12: broken YAML: cannot read this value: day is out of range for month",
        ),
    ],
    ids=["level-xp", "rule-count", "30-february"],
)
def test_a_number_the_database_cannot_store_is_a_problem_not_a_traceback(
    content_copy, file, old, new, message
):
    replace(content_copy / file, old, new)
    assert message in load_failing(content_copy)


# --- Nothing is loaded when anything is refused -----------------------------------------------


@pytest.mark.parametrize(
    "spoil", ["symlink", "size", "aliases", "long-value", "big-number"], ids=str
)
def test_a_refused_rules_file_leaves_the_loaded_rules_as_they_were(
    content_copy, outside, settings, spoil
):
    load(content_copy)
    before = rules_state()
    lessons_before = list(Lesson.objects.order_by("id").values())
    replace(content_copy / "levels.yaml", "Spark", "Ember")  # would be loaded, but for:
    achievements = content_copy / "achievements.yaml"
    if spoil == "symlink":
        achievements.unlink()
        achievements.symlink_to(outside / "achievements.yaml")
    elif spoil == "size":
        pad(achievements, 100_000)
        settings.CONTENT_MAX_FILE_BYTES = 50_000
    elif spoil == "aliases":
        replace(achievements, 'icon: "🌱"', 'icon: &seed "🌱"')
    elif spoil == "long-value":
        replace(achievements, "rule: {lessons_completed: 1}", f"rule: {{? {A_MEGABYTE}: 1}}")
    else:
        replace(
            achievements, "rule: {lessons_completed: 1}", "rule: {lessons_completed: 99999999999}"
        )
    errors = load_failing(content_copy)
    assert errors.startswith("achievements.yaml")
    assert len(errors) < 500
    assert rules_state() == before
    assert list(Lesson.objects.order_by("id").values()) == lessons_before
