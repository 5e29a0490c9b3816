"""Reading YAML safely with the line of every item, and writing a YAML string back."""

from __future__ import annotations

import json
from collections import deque
from typing import Any

import yaml

from courses.content.problems import shortened

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ANCHORS_REFUSED = "YAML anchors and aliases (&name, *name) are not allowed"


class YAMLSyntaxError(ValueError):
    """Broken YAML, with the 0-based line of the text where the parser stopped (if known)."""

    def __init__(self, problem: str, line: int | None):
        super().__init__(problem)
        self.problem, self.line = problem, line


class YAMLAnchorError(YAMLSyntaxError):
    """YAML that is valid but not accepted in content files: anchors and aliases. An alias
    repeats a whole subtree without copying it, so nine lines can stand for a billion items
    (the "billion laughs"), and whatever walks or prints the result walks or prints them all.
    Content files have no need of them."""


def yaml_load(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document safely, returning the data and its node tree (which knows the
    line of every item); raise YAMLSyntaxError naming the line where it broke, and YAMLAnchorError
    at the first anchor or alias."""
    _refuse_anchors(text)
    loader = SafeLoader(text)
    node = None
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YAMLSyntaxError(problem, mark.line if mark else None) from None
    except yaml.YAMLError as exc:
        raise YAMLSyntaxError(str(exc), None) from None
    except ValueError as exc:
        # A scalar that looks like a date or a number but is not one Python can make
        # (2025-02-30, a 5,000-digit integer): PyYAML lets the ValueError through.
        problem = f"cannot read this value: {shortened(str(exc))}"
        raise YAMLSyntaxError(problem, _unreadable_scalar_line(node)) from None
    finally:
        loader.dispose()


def _refuse_anchors(text: str) -> None:
    """Raise YAMLAnchorError at the first anchor or alias, before anything is composed. Broken YAML
    is left for the loader to report."""
    loader = SafeLoader(text)
    try:
        while (event := loader.get_event()) is not None:
            if getattr(event, "anchor", None) is not None:
                raise YAMLAnchorError(ANCHORS_REFUSED, event.start_mark.line)
            if isinstance(event, yaml.StreamEndEvent):
                break
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()


def _unreadable_scalar_line(root: yaml.Node | None) -> int | None:
    """The 0-based line of the first scalar under `root` that cannot be constructed."""
    constructor = yaml.SafeLoader("")
    pending = deque([root] if root is not None else [])
    while pending:
        node = pending.popleft()
        if isinstance(node, yaml.ScalarNode):
            try:
                constructor.construct_object(node)
            except (ValueError, yaml.YAMLError):
                return node.start_mark.line
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            pending.extend(part for pair in node.value for part in pair)
    return None


def yaml_scalar(text: str, *, quoted: bool = False, in_flow: bool = False) -> str:
    """A YAML string: plain when YAML reads it back unchanged (inside `{…}` when `in_flow`),
    else double-quoted (JSON is YAML)."""
    if not quoted and text and "\n" not in text:
        document = f"{{k: {text}}}" if in_flow else f"k: {text}"
        try:
            if yaml.load(document, Loader=SafeLoader) == {"k": text}:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)
