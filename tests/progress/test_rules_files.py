"""content/levels.yaml and content/achievements.yaml, loaded and checked by load_content."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from courses.models import Lesson
from progress.models import Achievement, EarnedAchievement, Level
from progress.services import lesson_complete

pytestmark = pytest.mark.django_db


def load(root: Path, *args) -> str:
    out = io.StringIO()
    call_command("load_content", str(root), *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def load_failing(root: Path) -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_content", str(root), stdout=io.StringIO(), stderr=err)
    return err.getvalue()


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_sample_rules_load_with_the_lessons_and_reload_unchanged(content_copy):
    out = load(content_copy)
    assert "levels: 11 loaded" in out
    assert "achievements: 16 created, 0 updated, 0 unchanged, 0 retired" in out
    assert Level.objects.get(number=0).name_en == "Spark"
    assert Level.objects.get(number=1).xp_required == 200
    assert Level.objects.get(number=1).name_ko == "불쏘시개"
    again = load(content_copy)
    assert "levels: 11 unchanged" in again
    assert "achievements: 0 created, 0 updated, 16 unchanged, 0 retired" in again


def test_check_writes_nothing(content_copy):
    out = load(content_copy, "--check")
    assert "Checked (nothing written)" in out
    assert not Level.objects.exists() and not Achievement.objects.exists()


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        (
            "levels.yaml",
            "  xp: 450",
            "  xp: 150",
            "levels.yaml:12: xp: must be more than level 1's 200 XP",
        ),
        (
            "levels.yaml",
            "- number: 2",
            "- number: 5",
            "levels.yaml:11: number: levels must be numbered",
        ),
        (
            "levels.yaml",
            "{en: Ember, ko: 잉걸불}",
            "{en: Ember}",
            "levels.yaml:13: name: needs both languages",
        ),
        ("levels.yaml", "  xp: 200", "  xp: [200", "levels.yaml:10: broken YAML"),
        (
            "achievements.yaml",
            "rule: {lessons_completed: 3}",
            "rule: {lessons_read: 3}",
            "achievements.yaml:22: rule:",
        ),
        (
            "achievements.yaml",
            "slug: warming-up",
            "slug: first-steps",
            "achievements.yaml:18: slug: duplicate slug 'first-steps' (first used on line 12)",
        ),
        (
            "achievements.yaml",
            "  xp: 20",
            "  xp: lots",
            "achievements.yaml:23: xp: must be a whole number",
        ),
        (
            "achievements.yaml",
            '  icon: "🔥"',
            '  icon: ""',
            "achievements.yaml:19: icon: needs a short icon",
        ),
    ],
)
def test_bad_rules_name_file_line_and_field_and_load_nothing(content_copy, file, old, new, message):
    replace(content_copy / file, old, new)
    errors = load_failing(content_copy)
    assert message in errors
    # All or nothing: the lessons were not loaded either.
    assert not Lesson.objects.exists()
    assert not Level.objects.exists() and not Achievement.objects.exists()


def test_a_broken_rules_file_keeps_what_was_loaded_before(content_copy):
    load(content_copy)
    replace(content_copy / "levels.yaml", "  xp: 200", "  xp: -1")
    replace(content_copy / "achievements.yaml", "Complete 3 lessons.", "Complete three lessons.")
    assert "levels.yaml:9: xp: must be a whole number of XP from 0" in load_failing(content_copy)
    assert Level.objects.get(number=1).xp_required == 200
    assert Achievement.objects.get(slug="warming-up").description_en == "Complete 3 lessons."


def test_a_removed_achievement_is_retired_but_kept_by_those_who_earned_it(content_copy, learner):
    load(content_copy)
    lesson_complete(user=learner, lesson=Lesson.objects.published().first())
    text = (content_copy / "achievements.yaml").read_text(encoding="utf-8")
    start = text.index("- slug: first-steps")
    end = text.index("- slug: warming-up")
    (content_copy / "achievements.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    assert "0 created, 15 updated, 0 unchanged, 1 retired" in load(content_copy)  # reordered
    assert not Achievement.objects.get(slug="first-steps").is_active
    assert EarnedAchievement.objects.filter(user=learner, achievement__slug="first-steps").exists()
