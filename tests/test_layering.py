"""The apps stack in floors, and a floor imports only from the floors below it.

lessons (the project package) → courses → accounts → comments and progress side by side. A lower
floor that needs to hear about an upper one offers a signal; progress hears about comments only
through comments.signals.
"""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FLOORS = {"lessons": 0, "courses": 1, "accounts": 2, "comments": 3, "progress": 3, "practice": 4}
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
        if "tests" in path.relative_to(ROOT / app).parts:
            continue  # tests beside a package try it with the whole site
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


# --- Templates ---------------------------------------------------------------------------------

TEMPLATES = ROOT / "templates"
# Template folders named for something else than an app: allauth's (accounts overrides them)
# and the admin's for one app's models.
FOLDER_OWNERS = {"account": "accounts", "allauth": "accounts", "socialaccount": "accounts"}
TAG_PATTERN = re.compile(r"{%\s*(load|include|extends)\s+(.*?)\s*%}")


def template_owner(name: str) -> str:
    """The app whose floor a template (by its name under templates/) stands on: its folder's
    app, else the project package's (base.html, the header, the error pages)."""
    parts = name.split("/")
    if parts[0] == "admin" and len(parts) > 2 and parts[1] in FLOORS:
        return parts[1]
    folder = FOLDER_OWNERS.get(parts[0], parts[0])
    return folder if folder in FLOORS and len(parts) > 1 else "lessons"


def tag_library_owners() -> dict[str, str]:
    """{library name: app} for Stream's template tag libraries."""
    return {
        path.stem: app
        for app in FLOORS
        for path in (ROOT / app / "templatetags").glob("*.py")
        if path.stem != "__init__"
    }


def template_uses(text: str) -> list[tuple[str, str]]:
    """(kind, name) of every tag library loaded and template included or extended (by a
    literal name) in a template's text."""
    found = []
    for kind, argument in TAG_PATTERN.findall(text):
        if kind == "load":
            words = argument.split()
            if "from" in words:  # {% load name from library %}
                words = words[words.index("from") + 1 :]
            found += [("load", word) for word in words]
        elif argument[:1] in "\"'":
            found.append((kind, argument[1:].split(argument[0])[0]))
    return found


def template_problems(name: str, text: str, libraries: dict[str, str]) -> list[str]:
    owner = template_owner(name)
    problems = []
    for kind, used in template_uses(text):
        target = libraries.get(used) if kind == "load" else template_owner(used)
        if target is None:  # Django's or a third party's library
            continue
        if target != owner and FLOORS[target] >= FLOORS[owner]:
            problems.append(f"templates/{name}: {{% {kind} {used} %}} is {target}'s")
    return problems


def test_no_template_uses_tags_or_templates_of_a_floor_above_it():
    libraries = tag_library_owners()
    problems = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        problems += template_problems(name, path.read_text(encoding="utf-8"), libraries)
    assert not problems, "\n".join(problems)


def test_the_template_check_itself_catches_an_upward_load_and_include():
    libraries = {"progress_tags": "progress", "slots": "lessons", "discussion": "comments"}
    text = (
        '{% extends "base.html" %}{% load i18n progress_tags slots %}'
        '{% include "comments/_x.html" %}'
    )
    assert template_problems("courses/page.html", text, libraries) == [
        "templates/courses/page.html: {% load progress_tags %} is progress's",
        "templates/courses/page.html: {% include comments/_x.html %} is comments's",
    ]
    assert template_problems("progress/page.html", text, libraries) == [
        "templates/progress/page.html: {% include comments/_x.html %} is comments's",
    ]
    assert template_owner("account/login.html") == "accounts"
    assert template_owner("admin/courses/lesson/change_form.html") == "courses"
    assert template_owner("_header.html") == "lessons"
