"""Reading YAML safely with the line of every item, and writing a YAML string back."""

from __future__ import annotations

import json
from typing import Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YAMLSyntaxError(ValueError):
    """Broken YAML, with the 0-based line of the text where the parser stopped (if known)."""

    def __init__(self, problem: str, line: int | None):
        super().__init__(problem)
        self.problem, self.line = problem, line


def yaml_load(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document safely, returning the data and its node tree (which knows the
    line of every item); raise YAMLSyntaxError naming the line where it broke."""
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(part for part in (exc.context, exc.problem) if part)
        raise YAMLSyntaxError(problem, mark.line if mark else None) from None
    except yaml.YAMLError as exc:
        raise YAMLSyntaxError(str(exc), None) from None
    finally:
        loader.dispose()


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
