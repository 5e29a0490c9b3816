"""Reading and checking content/levels.yaml and content/achievements.yaml.

Pure like courses.content: files in, dataclasses and the same kind of `file:line: field: message`
problems out. progress.services.rules_load writes them once everything has passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from courses.content import (
    ContentError,
    ContentProblem,
    YAMLAnchorError,
    YAMLSyntaxError,
    content_file_read,
    shortened,
    shown,
    yaml_load,
)
from lessons.text import CONTROL_CHARACTER_MESSAGE, control_character_in
from progress.models import Rule

LEVELS_FILE = "levels.yaml"
ACHIEVEMENTS_FILE = "achievements.yaml"
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGES = ("en", "ko")


@dataclass
class LevelRow:
    number: int
    xp: int
    name_en: str
    name_ko: str


@dataclass
class AchievementRow:
    slug: str
    order: int
    icon: str
    name_en: str
    name_ko: str
    description_en: str
    description_ko: str
    rule: str
    threshold: int
    xp: int


class _ListFile:
    """A YAML file holding a list of mappings, with the line of every item and key."""

    def __init__(self, path: Path, display: str):
        self.display = display
        self.problems: list[ContentProblem] = []
        self.items: list[dict[str, Any]] = []
        self.item_lines: list[int] = []
        self.key_lines: list[dict[str, int]] = []
        self._read(path)

    def problem(self, message: str, *, line: int | None = None, field: str | None = None) -> None:
        self.problems.append(ContentProblem(self.display, line, field, message))

    def _read(self, path: Path) -> None:
        try:
            # The rules files sit in the content root itself, and are read as its files are.
            raw = content_file_read(path, root=path.parent, display=self.display)
        except ContentError as exc:
            self.problems.extend(exc.errors)
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            self.problem("not valid UTF-8 text; save the file as UTF-8", line=line)
            return
        try:
            data, node = yaml_load(text)
        except YAMLSyntaxError as exc:
            line = exc.line + 1 if exc.line is not None else None
            broken = "" if isinstance(exc, YAMLAnchorError) else "broken YAML: "
            self.problem(f"{broken}{exc.problem}", line=line)
            return
        if not isinstance(data, list) or not isinstance(node, yaml.SequenceNode):
            self.problem("must be a list of entries, each starting with '- '", line=1)
            return
        for item, item_node in zip(data, node.value, strict=True):
            line = item_node.start_mark.line + 1
            if not isinstance(item, dict):
                self.problem("each entry must be a set of 'field: value' lines", line=line)
                continue
            self.items.append(item)
            self.item_lines.append(line)
            self.key_lines.append({str(k.value): k.start_mark.line + 1 for k, _ in item_node.value})

    def entries(self):
        yield from zip(self.items, self.item_lines, self.key_lines, strict=True)


# The largest count or total of XP the database stores (a PositiveIntegerField on PostgreSQL):
# a larger one would pass the checks and fail on writing.
MAX_WHOLE = 2_147_483_647


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _bilingual(
    file: _ListFile, item: dict, field: str, lines: dict, line: int, max_length: int
) -> dict[str, str]:
    value = item.get(field)
    where = lines.get(field, line)
    if not isinstance(value, dict) or set(value) != set(LANGUAGES):
        file.problem("needs both languages, e.g. {en: Spark, ko: 불씨}", line=where, field=field)
        return {language: "" for language in LANGUAGES}
    result = {}
    for language in LANGUAGES:
        text = value[language]
        if not isinstance(text, str) or not text.strip():
            file.problem(f"the {language} text is empty", line=where, field=field)
        elif len(text) > max_length:
            file.problem(
                f"the {language} text is over {max_length} characters", line=where, field=field
            )
        elif character := control_character_in(text):  # a YAML escape such as "\0"
            message = CONTROL_CHARACTER_MESSAGE % {"character": character}
            file.problem(f"the {language} text: {message}", line=where, field=field)
        result[language] = str(text or "").strip()
    return result


def _unknown_fields(file: _ListFile, item: dict, allowed: set[str], lines: dict, line: int) -> None:
    for name in item:
        if name not in allowed:
            file.problem(
                f"unknown field (known fields: {', '.join(sorted(allowed))})",
                line=lines.get(str(name), line),
                field=shortened(str(name)),
            )


def parse_levels(path: Path, display: str) -> tuple[list[LevelRow], list[ContentProblem]]:
    file = _ListFile(path, display)
    levels: list[LevelRow] = []
    for item, line, lines in file.entries():
        _unknown_fields(file, item, {"number", "xp", "name"}, lines, line)
        number, xp = item.get("number"), item.get("xp")
        if not _whole(number) or number < 0:
            file.problem(
                "must be a whole number from 0", line=lines.get("number", line), field="number"
            )
            continue
        if not _whole(xp) or not 0 <= xp <= MAX_WHOLE:
            file.problem(
                f"must be a whole number of XP from 0 to {MAX_WHOLE:,}",
                line=lines.get("xp", line),
                field="xp",
            )
            continue
        names = _bilingual(file, item, "name", lines, line, 40)
        expected = len(levels)
        if number != expected:
            file.problem(
                "levels must be numbered 0, 1, 2, … in order; "
                f"expected {expected}, found {shown(number)}",
                line=lines.get("number", line),
                field="number",
            )
        elif number == 0 and xp != 0:
            file.problem(
                "level 0 is where everyone starts: its xp must be 0",
                line=lines.get("xp", line),
                field="xp",
            )
        elif levels and xp <= levels[-1].xp:
            file.problem(
                f"must be more than level {levels[-1].number}'s {levels[-1].xp} XP",
                line=lines.get("xp", line),
                field="xp",
            )
        levels.append(LevelRow(number=number, xp=xp, name_en=names["en"], name_ko=names["ko"]))
    if not levels and not file.problems:
        file.problem("has no levels; it needs at least level 0", line=1)
    return levels, file.problems


RULES_WITH_COUNT = {rule.value for rule in Rule} - {Rule.ALL_LESSONS}


def parse_achievements(
    path: Path, display: str
) -> tuple[list[AchievementRow], list[ContentProblem]]:
    file = _ListFile(path, display)
    rows: list[AchievementRow] = []
    seen: dict[str, int] = {}
    allowed = {"slug", "icon", "name", "description", "rule", "xp"}
    for order, (item, line, lines) in enumerate(file.entries()):
        _unknown_fields(file, item, allowed, lines, line)
        slug = item.get("slug")
        if not isinstance(slug, str) or not SLUG_RE.match(slug):
            file.problem(
                "needs a slug of lowercase letters, digits and hyphens",
                line=lines.get("slug", line),
                field="slug",
            )
            continue
        if slug in seen:
            file.problem(
                f"duplicate slug {shown(slug)} (first used on line {seen[slug]})",
                line=lines.get("slug", line),
                field="slug",
            )
            continue
        seen[slug] = lines.get("slug", line)
        icon = item.get("icon")
        if (
            not isinstance(icon, str)
            or not icon.strip()
            or len(icon) > 16
            or control_character_in(icon)
        ):
            file.problem(
                'needs a short icon, e.g. "🌱"', line=lines.get("icon", line), field="icon"
            )
        names = _bilingual(file, item, "name", lines, line, 80)
        descriptions = _bilingual(file, item, "description", lines, line, 200)
        rule, threshold = _rule(file, item.get("rule"), lines.get("rule", line))
        xp = item.get("xp", 0)
        if not _whole(xp) or not 0 <= xp <= 1000:
            file.problem(
                "must be a whole number from 0 to 1000", line=lines.get("xp", line), field="xp"
            )
            xp = 0
        rows.append(
            AchievementRow(
                slug=slug,
                order=order,
                icon=str(icon or "").strip(),
                name_en=names["en"],
                name_ko=names["ko"],
                description_en=descriptions["en"],
                description_ko=descriptions["ko"],
                rule=rule,
                threshold=threshold,
                xp=xp,
            )
        )
    return rows, file.problems


def _rule(file: _ListFile, value: Any, line: int) -> tuple[str, int]:
    vocabulary = ", ".join(sorted(rule.value for rule in Rule))
    if not isinstance(value, dict) or len(value) != 1:
        file.problem(
            f"needs one rule, e.g. {{lessons_completed: 3}}; rules: {vocabulary}",
            line=line,
            field="rule",
        )
        return "", 0
    ((name, argument),) = value.items()
    if name == Rule.ALL_LESSONS:
        if argument is not True:
            file.problem("write it as {all_lessons: true}", line=line, field="rule")
        return name, 1
    if name not in RULES_WITH_COUNT:
        file.problem(f"unknown rule {shown(name)}; rules: {vocabulary}", line=line, field="rule")
        return "", 0
    if not _whole(argument) or not 1 <= argument <= MAX_WHOLE:
        file.problem(
            f"{name} needs a whole number from 1 to {MAX_WHOLE:,}, not {shown(argument)}",
            line=line,
            field="rule",
        )
        return name, 1
    return name, argument
