"""Checks on what a content file (or the admin's lesson form) says, with the loader's messages.

The limits of single fields are the models' own (courses.validators); the checks here ask the
model fields, and add what a model field does not say: links and dates.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from courses.content.problems import Shown, shown
from courses.models import Tag
from courses.validators import TAG_INVALID
from lessons.text import CONTROL_CHARACTER_MESSAGE, control_character_in


def field_problems(model: type[models.Model], name: str, value: Any) -> list[str]:
    """What `model`'s field `name` says about `value`: its choices, limits and shape, in the same
    words as full_clean() and the admin forms. An empty value is the caller's to judge."""
    field = model._meta.get_field(name)
    if value in field.empty_values:
        return []
    try:
        field.validate(value, None)
        field.run_validators(value)
    except ValidationError as error:
        messages = (_with_value_shown(each) for each in error.error_list)
        return list(dict.fromkeys(messages))  # two validators may say the same thing
    return []


def _with_value_shown(error: ValidationError) -> str:
    """The message, as ValidationError.messages words it, quoting the value as `shown` does:
    Django's messages quote it whole."""
    params = error.params or {}
    if "value" in params:
        params = {**params, "value": Shown(params["value"])}
    return str(error.message % params) if params else str(error.message)


def tag_problem(tag: Any) -> str | None:
    if not isinstance(tag, str):
        return TAG_INVALID % {"value": Shown(tag)}
    problems = field_problems(Tag, "slug", tag)
    return problems[0] if problems else None


_url_validator = URLValidator(schemes=["http", "https"])


def link_problems(value: Any) -> tuple[list[dict[str, str]], list[tuple[int | None, str]]]:
    """Check a list of links; return the clean links and (index or None, message) problems."""
    if not isinstance(value, list):
        return [], [(None, "must be a list of items with a title and a url")]
    links: list[dict[str, str]] = []
    problems: list[tuple[int | None, str]] = []
    for index, item in enumerate(value):
        if not isinstance(item, dict) or set(item) - {"title", "url"}:
            problems.append((index, "each link needs exactly 'title' and 'url'"))
            continue
        title, url = item.get("title"), item.get("url")
        if not isinstance(title, str) or not title.strip():
            problems.append((index, "link has no title"))
            continue
        if not isinstance(url, str) or not url.strip():
            problems.append((index, "link has no url"))
            continue
        # A file's YAML escapes ("\0") and the admin's rows can carry what the file's text check
        # did not see; URLValidator lets a control character through in the path.
        if character := control_character_in(title) or control_character_in(url):
            problems.append((index, str(CONTROL_CHARACTER_MESSAGE % {"character": character})))
            continue
        try:
            _url_validator(url.strip())
        except ValidationError:
            problems.append(
                (index, f"bad URL {shown(url)}: use a full http:// or https:// address")
            )
            continue
        links.append({"title": title.strip(), "url": url.strip()})
    return links, problems


def publish_at_value(value: Any) -> datetime | None:
    """A front matter date or date and time as an aware datetime (naive ones are local time)."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str) and (parsed := parse_datetime(value.strip())):
        moment = parsed
    else:
        raise ValueError(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
