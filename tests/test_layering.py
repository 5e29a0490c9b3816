"""The apps stack in floors, and a floor imports only from the floors below it.

lessons (the project package) → courses → accounts → comments and progress side by side. A lower
floor that needs to hear about an upper one offers a signal; progress hears about comments only
through comments.signals.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = {"lessons": 0, "courses": 1, "accounts": 2, "comments": 3, "progress": 3}
# The one sideways door: progress listens to what the comments app announces.
ALLOWED_SIDEWAYS = {("progress", "comments.signals")}


def stream_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import of a Stream app in the file, at any depth."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        found += [(node.lineno, name) for name in names if name.split(".")[0] in FLOORS]
    return found


def forbidden(app: str, module: str) -> bool:
    target = module.split(".")[0]
    if target == app or FLOORS[target] < FLOORS[app]:
        return False
    return not any(
        app == importer and (module == door or module.startswith(door + "."))
        for importer, door in ALLOWED_SIDEWAYS
    )


@pytest.mark.parametrize("app", FLOORS)
def test_no_app_imports_from_a_floor_above_it(app):
    problems = []
    for path in sorted((ROOT / app).rglob("*.py")):
        imports = stream_imports(path)
        # `from comments import signals` names comments.signals: judge the fullest name.
        names = {name for _, name in imports}
        for line, module in imports:
            if any(other.startswith(module + ".") for other in names):
                continue
            if forbidden(app, module):
                problems.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert not problems, "\n".join(problems)


def test_the_check_itself_catches_an_upward_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from progress.models import Completion\n")
    assert stream_imports(sample) == [
        (2, "progress.models"),
        (2, "progress.models.Completion"),
    ]
    assert forbidden("courses", "progress.models")
    assert forbidden("comments", "progress.models")
    assert not forbidden("progress", "comments.signals")
    assert forbidden("progress", "comments.services")
    assert not forbidden("comments", "accounts.services")
