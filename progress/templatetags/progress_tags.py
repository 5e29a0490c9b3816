from __future__ import annotations

from django import template

from lessons.caching.shells import changes_at, depends_on
from progress import cache_names, leaderboard, positions, profiles, summaries

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
    """The progress block: "Mark complete", then what the completion earned (for a form posted
    without JavaScript, the messages progress.views tagged "moment") and where to go next."""
    request = context["request"]
    # Only a learner's own POST leaves a moment; looking at the messages of anyone else would
    # mark them used, and a page that shows messages is never shared (lessons.caching.pages).
    moment = (
        [m for m in context.get("messages", ()) if "moment" in m.tags.split()]
        if request.user.is_authenticated
        else []
    )
    return {
        **summaries.lesson_state(
            user=request.user, lesson=lesson, position=context.get("position")
        ),
        "lesson": lesson,
        "request": request,
        "moment": moment,
    }


@register.simple_tag(takes_context=True)
def with_progress(context, courses) -> list[tuple]:
    """(course, lessons done) for each of `courses`: the signed-in learner's (one query), else
    0 for every reader, which progress.js redraws from local progress."""
    done = summaries.course_done_counts(context["request"].user, [c.id for c in courses])
    return [(course, done.get(course.id, 0)) for course in courses]


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


@register.simple_tag(takes_context=True)
def progress_profile(context) -> profiles.Profile:
    """Everything /progress/ shows of the signed-in learner."""
    return profiles.learner_profile(context["request"].user)


@register.inclusion_tag("progress/_leaderboard_week.html", takes_context=True)
def leaderboard_week(context) -> dict:
    """A member's "this week" line (rank and XP), or an invitation, with a link to the board."""
    user = context["request"].user
    # Others' XP moves a member's rank, and a new week starts the board afresh: the parts of
    # pages kept for the reader (lessons.caching.shells) are drawn again then.
    request = context["request"]
    depends_on(request, cache_names.leaderboard())
    changes_at(request, leaderboard.next_week(leaderboard.week_start()).timestamp())
    board = leaderboard.week_board(user, history=False) if user.is_authenticated else None
    return {"board": board}


@register.simple_tag(takes_context=True)
def course_path(context, numbered_lessons) -> summaries.CoursePath:
    """The signed-in learner's way through a course (one query, once per request and outline:
    the course page asks for each outline item's state); a reader who is not signed in gets the
    start, which progress.js redraws from local progress."""
    request = context["request"]
    # Keyed on the outline object itself, kept alive beside its path so its id stays its own.
    paths = request.__dict__.setdefault("_stream_course_paths", {})
    if id(numbered_lessons) not in paths:
        path = summaries.course_path(request.user, numbered_lessons)
        paths[id(numbered_lessons)] = (numbered_lessons, path)
    return paths[id(numbered_lessons)][1]


@register.simple_tag
def catalogue_latest_url() -> str:
    """Where a page without a learner bar (the catalogue) fetches what progress.js needs: an
    address that redirects to the current version's, so the page itself does not change with
    every content version (its ETag follows what it shows)."""
    return summaries.catalogue_url(version="latest")
