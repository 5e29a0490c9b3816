from __future__ import annotations

from django import template

from progress import summaries

register = template.Library()


@register.inclusion_tag("progress/_learner_bar.html", takes_context=True)
def learner_bar(context) -> dict:
    """The learner bar: the server's figures for a signed-in learner; for anyone else the same
    zero figures for every reader, plus where the browser fetches what it needs to fill in local
    progress (a separate, long-cached address: the page itself stays small and cacheable)."""
    user = context["request"].user
    if user.is_authenticated:
        return {
            "bar": summaries.learner_bar(user),
            "signed_in": True,
            "request": context["request"],
        }
    return {
        "bar": summaries.Bar.starting(summaries.bar_totals()),
        "signed_in": False,
        "catalogue_url": summaries.catalogue_url(),
    }


@register.inclusion_tag("progress/_lesson_progress.html", takes_context=True)
def lesson_progress(context, lesson) -> dict:
    user = context["request"].user
    completed = summaries.completion_dates(user, [lesson.id]) if lesson.is_published else {}
    return {
        "lesson": lesson,
        "request": context["request"],
        "signed_in": user.is_authenticated,
        "completed_at": completed.get(lesson.id),
    }


@register.simple_tag(takes_context=True)
def completed_among(context, lessons) -> dict:
    """{lesson id: completed_at} for the signed-in learner among `lessons` (one query)."""
    return summaries.completion_dates(context["request"].user, [x.id for x in lessons])
