from __future__ import annotations

from django import template

from progress import leaderboard, positions, summaries

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


# --- Resuming where the reader left off, and the weekly leaderboard --------------------------


@register.inclusion_tag("progress/_resume_offer.html", takes_context=True)
def resume_offer(context, lesson) -> dict:
    """ "Continue where you left off" on a lesson page. A signed-in learner's place comes from
    the server; for anyone else the page (cached, the same for all) carries a hidden offer that
    resume.js fills in from this browser's own record."""
    request = context["request"]
    signed_in = request.user.is_authenticated
    return {
        "lesson": lesson,
        "signed_in": signed_in,
        "place": positions.resume_place(request.user, lesson) if signed_in else None,
    }


@register.simple_tag(takes_context=True)
def resume_url(context, lesson) -> str:
    """The lesson's address at the signed-in learner's place in it (else the plain address):
    `<a href="{% resume_url lesson %}">`."""
    return positions.resume_url_for(context["request"].user, lesson)


@register.inclusion_tag("progress/_course_continue.html", takes_context=True)
def course_continue(context, lessons) -> dict:
    """The course page's "Continue" button, for the course's published `lessons` in order.

    Signed in: the unfinished lesson last read, at the learner's place. Otherwise the first
    lesson, marked for resume.js to point at the place this browser remembers.
    """
    user = context["request"].user
    lesson = positions.course_resume_lesson(user, [x for x in lessons if x.is_published])
    return {
        "lesson": lesson,
        "url": positions.resume_url_for(user, lesson) if lesson else "",
        "signed_in": user.is_authenticated,
    }


@register.inclusion_tag("progress/_leaderboard_week.html", takes_context=True)
def leaderboard_week(context) -> dict:
    """A member's "this week" line (rank and XP), or an invitation, with a link to the board."""
    user = context["request"].user
    board = leaderboard.week_board(user, history=False) if user.is_authenticated else None
    return {"board": board}
