from __future__ import annotations

from django import template

from progress import summaries

register = template.Library()


@register.inclusion_tag("progress/_learner_bar.html", takes_context=True)
def learner_bar(context) -> dict:
    """The learner bar: the server's figures for a signed-in learner; for anyone else the same
    zero figures for every reader, plus what the browser needs to fill in local progress."""
    user = context["request"].user
    if user.is_authenticated:
        return {
            "bar": summaries.learner_bar(user),
            "signed_in": True,
            "request": context["request"],
        }
    catalogue = summaries.bar_catalogue()
    return {
        "bar": summaries.Bar.starting(catalogue),
        "signed_in": False,
        "catalogue": catalogue.as_json(),
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
