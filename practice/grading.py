"""Grading a knowledge check: plain rules, no database (tests beside: tests/practice)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _


class AnswerError(ValueError):
    """The answer is not one this check can take (said in words a learner understands)."""


@dataclass(frozen=True)
class Grade:
    correct: bool
    chosen: tuple[int, ...]  # option indexes, ascending
    right: tuple[int, ...]  # the options that are right
    explanations: dict[int, str]  # each chosen option's explanation (and each right one's)

    def as_data(self) -> dict[str, Any]:
        """Plain data, for JSON and for the cache."""
        return {
            "correct": self.correct,
            "chosen": list(self.chosen),
            "right": list(self.right),
            "explanations": {str(i): text for i, text in self.explanations.items()},
        }


def chosen_parse(values: Iterable[Any], *, options: int, multiple: bool) -> tuple[int, ...]:
    """The option indexes a form or a browser sent, checked: whole numbers naming options of
    this check, at least one, and only one for a single-choice check."""
    chosen: set[int] = set()
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise AnswerError(_("Choose one of the answers shown."))
        try:
            index = int(value)
        except ValueError:
            raise AnswerError(_("Choose one of the answers shown.")) from None
        if not 0 <= index < options:
            raise AnswerError(_("Choose one of the answers shown."))
        chosen.add(index)
    if not chosen:
        raise AnswerError(_("Choose an answer first."))
    if not multiple and len(chosen) > 1:
        raise AnswerError(_("This question has one answer: choose only one."))
    return tuple(sorted(chosen))


def grade(options: Sequence[dict[str, Any]], chosen: Sequence[int]) -> Grade:
    """Right when exactly the right options are chosen (all of them, and no other)."""
    right = tuple(i for i, option in enumerate(options) if option.get("correct"))
    shown = sorted(set(chosen) | set(right))
    explanations = {i: options[i].get("explanation", "") for i in shown}
    return Grade(
        correct=tuple(sorted(chosen)) == right,
        chosen=tuple(sorted(chosen)),
        right=right,
        explanations={i: text for i, text in explanations.items() if text},
    )
