"""The server's progress rules and the browser's copy give the same answers on shared cases.

An anonymous reader's bar is computed in the browser (static/js/progress-rules.js); once they
sign in, the server computes it (progress/rules.py). rule_cases.json holds both to one answer.
"""

import json
import shutil
import subprocess
import zoneinfo
from datetime import date, datetime
from pathlib import Path

import pytest

from progress import rules

HERE = Path(__file__).resolve().parent
CASES = json.loads((HERE / "rule_cases.json").read_text(encoding="utf-8"))


def in_case_terms(expected: dict, figures: rules.Figures) -> dict:
    """The figures in the case's terms: achievements as a count where the case gives one."""
    actual = {
        "xp": figures.xp,
        "level": figures.level,
        "done": figures.done,
        "total": figures.total,
        "achievements": list(figures.achievements),
        "longest_streak": figures.longest_streak,
        "current_streak": figures.current_streak,
    }
    if isinstance(expected.get("achievements"), int):
        actual["achievements"] = len(figures.achievements)
    return {key: actual[key] for key in expected}


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_server_rules_agree_with_the_shared_case(case):
    figures = rules.figures(
        {int(lesson): datetime.fromisoformat(at) for lesson, at in case["completions"].items()},
        case["catalogue"],
        zoneinfo.ZoneInfo(case["time_zone"]),
        date.fromisoformat(case["today"]),
    )
    assert in_case_terms(case["expected"], figures) == case["expected"]


def test_browser_rules_agree_with_every_shared_case():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH (scripts/test installs Debian's nodejs)")
    run = subprocess.run(
        [node, str(HERE / "rule_cases.mjs")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert f"{len(CASES)} of {len(CASES)} rule cases agree" in run.stdout


def test_the_cases_cover_every_rule_a_browser_can_earn():
    used = {a["rule"] for case in CASES for a in case["catalogue"]["achievements"]}
    assert rules.LOCAL_RULES <= used
