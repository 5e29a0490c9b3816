"""The limits of course, lesson and tag fields, in the words the content loader uses for them.

The model fields carry these validators and messages, the database enforces the ranges with
CheckConstraints, and the loader (courses.content.checks.field_problems) and the admin forms ask
the same fields, so each limit is written down once and reads the same wherever it is broken.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

# The one slug shape: lowercase letters and digits in words joined by single hyphens.
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Replaces Django's max_length message (a field's error_messages["max_length"]).
TOO_LONG = "is %(show_value)d characters long; the limit is %(limit_value)d"
TAG_INVALID = "tag %(value)r is not valid: use lowercase letters, digits and hyphens"

validate_slug = RegexValidator(
    SLUG_RE.pattern,
    "%(value)r is not a valid slug: use lowercase letters, digits and single hyphens",
    code="invalid",
)
validate_tag = RegexValidator(SLUG_RE.pattern, TAG_INVALID, code="invalid")
# A course's colour (its cards and page): one shape, so templates can put it in a style safely.
validate_color = RegexValidator(
    r"^#[0-9a-fA-F]{6}\Z",
    '%(value)r is not a colour: write it as # and six hexadecimal digits, like "#5b47d6"',
    code="invalid",
)


def duplicate_message(what: str, value: object, others: str) -> str:
    return f"duplicate {what} {value!r} (also in {others})"


def validate_one_line(value: str) -> None:
    if "\n" in value:
        raise ValidationError("must be one line", code="multiline")


def validate_not_in_future(value) -> None:
    # A review date ahead of today would tell readers a check happened that has not.
    if value > timezone.localdate():
        raise ValidationError(
            "%(value)s is in the future: give the day the lesson was last checked",
            code="future",
            params={"value": value.isoformat()},
        )


@dataclass(frozen=True)
class Range:
    """A whole-number field's limits, as validators with one message and as a constraint."""

    low: int
    high: int

    @property
    def message(self) -> str:
        return f"must be between {self.low} and {self.high}, not %(value)s"

    def validators(self) -> list:
        return [
            MinValueValidator(self.low, message=self.message),
            MaxValueValidator(self.high, message=self.message),
        ]

    def constraint(self, field: str, *, name: str) -> models.CheckConstraint:
        return models.CheckConstraint(
            condition=models.Q(**{f"{field}__gte": self.low, f"{field}__lte": self.high}),
            name=name,
        )


ORDER = Range(0, 1_000_000)
MINUTES = Range(1, 600)
XP = Range(0, 1000)
