"""Writing content/levels.yaml and content/achievements.yaml back from the database
(export_content), in the format progress.rules_files reads, so that loading them changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from courses.content import ContentProblem, yaml_scalar
from courses.services import ExportReport
from progress.models import Achievement, Level, Rule
from progress.rules_files import (
    ACHIEVEMENTS_FILE,
    LEVELS_FILE,
    AchievementRow,
    LevelRow,
    parse_achievements,
    parse_levels,
)

LEVELS_HEADER = "# The level curve: level N is reached at `xp` total XP (content/README.md).\n"
ACHIEVEMENTS_HEADER = "# Achievements and the rules that earn them (content/README.md).\n"


def rules_export(*, root: Path, force: bool = False) -> ExportReport:
    """Write the levels and the achievements that are not retired under `root`. A file that
    already says the same thing is not touched (its comments and layout stay); one that says
    something else holds edits never loaded (only load_content writes the rules), so it is
    reported as skipped unless `force`. Rules never loaded are not written at all."""
    report = ExportReport()
    levels = [
        LevelRow(number=level.number, xp=level.xp_required, name_en=level.name_en,
                 name_ko=level.name_ko)
        for level in Level.objects.order_by("number")
    ]  # fmt: skip
    if levels:
        _export(report, root, LEVELS_FILE, levels, levels_text(levels), parse_levels, force)
    achievements = [
        AchievementRow(
            slug=a.slug, order=order, icon=a.icon, name_en=a.name_en, name_ko=a.name_ko,
            description_en=a.description_en, description_ko=a.description_ko, rule=a.rule,
            threshold=a.threshold, xp=a.xp,
        )
        for order, a in enumerate(Achievement.objects.filter(is_active=True).order_by("order"))
    ]  # fmt: skip
    if achievements:
        text = achievements_text(achievements)
        _export(report, root, ACHIEVEMENTS_FILE, achievements, text, parse_achievements, force)
    return report


def _export(
    report: ExportReport,
    root: Path,
    name: str,
    rows: list,
    text: str,
    parse: Callable[[Path, str], tuple[list, list[ContentProblem]]],
    force: bool,
) -> None:
    path = root / name
    previous = path.read_bytes() if path.is_file() else None
    if previous is not None:
        parsed, problems = parse(path, name)
        if not problems and parsed == rows:
            report.unchanged += 1
            return
    report.write_file(
        root, name, text, previous=previous, edited_since_loaded=previous is not None, force=force
    )


def levels_text(levels: list[LevelRow]) -> str:
    lines = [LEVELS_HEADER.rstrip("\n")]
    for level in levels:
        lines += [
            f"- number: {level.number}",
            f"  xp: {level.xp}",
            f"  name: {_bilingual(level.name_en, level.name_ko)}",
        ]
    return "\n".join(lines) + "\n"


def achievements_text(achievements: list[AchievementRow]) -> str:
    lines = [ACHIEVEMENTS_HEADER.rstrip("\n")]
    for row in achievements:
        rule = "true" if row.rule == Rule.ALL_LESSONS else str(row.threshold)
        lines += [
            f"- slug: {row.slug}",
            f"  icon: {yaml_scalar(row.icon, quoted=True)}",
            f"  name: {_bilingual(row.name_en, row.name_ko)}",
            f"  description: {_bilingual(row.description_en, row.description_ko)}",
            f"  rule: {{{row.rule}: {rule}}}",
        ]
        if row.xp:  # 0 is the default, and hand-written files leave it out
            lines.append(f"  xp: {row.xp}")
    return "\n".join(lines) + "\n"


def _bilingual(en: str, ko: str) -> str:
    return f"{{en: {yaml_scalar(en, in_flow=True)}, ko: {yaml_scalar(ko, in_flow=True)}}}"
