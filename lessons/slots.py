"""Named places in the lower floors' templates that the apps above fill in.

A lesson page (courses) shows the discussion (comments) and the learner's progress (progress),
but courses must not know those apps, in Python or in templates. So its templates name a *slot*
(`{% slot "lesson-discussion" lesson=lesson %}`, or `{% personal "learner-bar" %}` for a
reader's own part: lessons.caching.shells) and each app above registers what goes there in its
`AppConfig.ready()`, as contrib.auth offers `user_logged_in` without knowing who listens.

A slot nobody filled renders as nothing. Parts of one slot render in registration order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template import Context
from django.template.loader import get_template

# (request, **values) → the part's template context, or None for "nothing for this reader".
ContextBuilder = Callable[..., dict[str, Any] | None]


@dataclass(frozen=True)
class Part:
    template: str
    context: ContextBuilder | None = None


_slots: dict[str, list[Part]] = {}


def register(slot: str, template: str, context: ContextBuilder | None = None) -> None:
    """Fill `slot` with `template`, rendered with the slot's values (and with what
    `context(request, **values)` returns, when given). Registering the same part twice (a
    second `ready()` in tests) keeps one."""
    part = Part(template, context)
    parts = _slots.setdefault(slot, [])
    if part not in parts:
        parts.append(part)


def registered(slot: str) -> list[Part]:
    return _slots.get(slot, [])


def render(slot: str, context: Context, values: dict[str, Any]) -> str:
    """Every part of `slot`, rendered in `context` with `values` pushed on top."""
    pieces = []
    request = getattr(context, "request", None) or context.get("request")
    for part in registered(slot):
        extra = values
        if part.context is not None:
            built = part.context(request, **values)
            if built is None:
                continue
            extra = {**values, **built}
        with context.push(extra):
            pieces.append(get_template(part.template).template.render(context))
    return "".join(pieces)
