from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from django.views.generic import TemplateView

from courses.models import Lesson
from lessons.caching.pages import content_version
from lessons.caching.shells import member_page
from lessons.ratelimits import rate_limit_hit, requester
from progress import positions
from progress.leaderboard import week_board
from progress.rules import MergePayloadError, UnknownLessonsError, parse_merge_payload
from progress.services import Outcome, announcements_take, lesson_complete, progress_merge
from progress.summaries import (
    Streak,
    bar_figures,
    catalogue_json,
    learner_bar,
    learner_streak,
    lesson_state,
)

# A catalogue's address names its content version, so what it holds never changes.
CATALOGUE_MAX_AGE = 365 * 24 * 3600


def _announcements(request: HttpRequest) -> list[str]:
    """What the learner earned here and earlier elsewhere (a comment, a reply received), as
    lines of HTML: taking them marks them announced, so only a POST does, never a page shown."""
    return [
        # Our own template's output, escaped there; the messages cookie keeps it marked safe.
        mark_safe(
            render_to_string("progress/_announcement.html", {"achievement": achievement}).strip()
        )
        for achievement in announcements_take(user=request.user)
    ]


def _achievements_announce(request: HttpRequest) -> None:
    """Announce what was earned on the learner's next page, through django.contrib.messages."""
    for html in _announcements(request):
        messages.success(request, html, extra_tags="achievement")


def _moment_lines(request: HttpRequest, lesson: Lesson, outcome: Outcome) -> list[str]:
    """The completion moment in words: the lesson's XP (as its button promised), each
    achievement with its bonus, and the streak the completion kept."""
    if not outcome.completed:
        return [_("You had already completed this lesson."), *_announcements(request)]
    streak = learner_streak(request.user)
    return [
        _("Lesson complete: +%(xp)s XP.") % {"xp": lesson.xp},
        *_announcements(request),
        _streak_line(streak),
    ]


def _streak_line(streak: Streak) -> str:
    if streak.today_counts:
        return _("🔥 %(days)s-day streak — today counts ✓") % {"days": streak.days}
    if streak.days:
        return _("🔥 %(days)s-day streak — complete a lesson today to keep it") % {
            "days": streak.days
        }
    return _("Complete a lesson today to start a streak.")


def _wants_json(request: HttpRequest) -> bool:
    # A form post from a browser prefers HTML; progress.js asks for JSON.
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


@login_required
@require_POST
def lesson_complete_view(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Complete a lesson. progress.js posts here asking for JSON and redraws the progress block
    in place; without JavaScript the form posts, and the page it is sent back to shows the same
    words in the same block (messages tagged "moment", see progress_tags.lesson_progress)."""
    lesson = get_object_or_404(Lesson.objects.published().select_related("course"), pk=lesson_id)
    outcome = lesson_complete(user=request.user, lesson=lesson)
    lines = _moment_lines(request, lesson, outcome)
    if not _wants_json(request):
        for line in lines:
            messages.success(request, line, extra_tags="moment")
        return redirect(f"{lesson.get_absolute_url()}#progress")
    state = lesson_state(user=request.user, lesson=lesson)
    bar = learner_bar(request.user)
    return JsonResponse(
        {
            "completed": bool(outcome.completed),
            "xp_awarded": outcome.xp_awarded,
            "achievements": [a.slug for a in outcome.achievements],
            "state_html": render_to_string("progress/_lesson_state.html", state, request),
            "moment_html": render_to_string("progress/_moment.html", {"lines": lines}, request),
            "bar": bar_figures(bar),
        }
    )


@require_POST
def progress_merge_view(request: HttpRequest) -> JsonResponse:
    """A browser hands over the completions it kept while its reader was signed out."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in to sync your progress.")}, status=401)
    if rate_limit_hit(
        scope="merge", who=requester(request), rate=settings.PROGRESS_MERGE_RATE_LIMIT
    ):
        return JsonResponse(
            {"error": _("Too many syncs in a short time. Your progress is kept; try later.")},
            status=429,
        )
    try:
        completions = parse_merge_payload(request.body, now=timezone.now())
        outcome = progress_merge(user=request.user, completions=completions)
    except UnknownLessonsError as exc:
        return JsonResponse({"error": str(exc), "unknown_lessons": exc.lesson_ids}, status=400)
    except MergePayloadError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    _achievements_announce(request)  # the browser reloads the page, which shows them
    return JsonResponse(
        {
            "merged": len(outcome.completed),
            "xp_awarded": outcome.xp_awarded,
            "achievements": [a.slug for a in outcome.achievements],
        }
    )


# The page is the learner's own (progress/parts/profile.html reads it), kept for their next
# visit while nothing it shows has changed (lessons.caching.shells).
@method_decorator(member_page(), name="dispatch")
class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "progress/profile.html"


@require_safe
def catalogue_view(request: HttpRequest, version: str, language: str) -> HttpResponse:
    """The published lessons, levels and achievements an anonymous reader's browser computes its
    bar from (progress.js), at an address per content version that browsers keep for good."""
    if language not in dict(settings.LANGUAGES):
        raise Http404
    current = content_version()
    if version != current:
        # A page from before the content changed: send the browser to what is true now.
        response = redirect("progress:catalogue", version=current, language=language)
        patch_cache_control(response, no_cache=True)
        return response
    response = HttpResponse(catalogue_json(language), content_type="application/json")
    patch_cache_control(response, public=True, max_age=CATALOGUE_MAX_AGE, immutable=True)
    return response


# --- Reading positions and the leaderboard ---------------------------------------------------


@require_POST
def position_save_view(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Where a signed-in reader is in a lesson, sent by resume.js as they read and leave
    (navigator.sendBeacon, with the CSRF token in the form)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in to keep your place on the server.")}, status=401)
    if rate_limit_hit(
        scope="position", who=requester(request), rate=settings.PROGRESS_POSITION_RATE_LIMIT
    ):
        return JsonResponse({"error": _("Too many saves in a short time.")}, status=429)
    lesson = get_object_or_404(Lesson.objects.published(), pk=lesson_id)
    try:
        place = positions.parse_place(
            heading=request.POST.get("heading", ""), paragraph=request.POST.get("paragraph")
        )
    except positions.PositionError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    positions.position_save(user=request.user, lesson=lesson, place=place)
    return HttpResponse(status=204)


@require_POST
def positions_merge_view(request: HttpRequest) -> JsonResponse:
    """A browser hands over the reading positions it kept while its reader was signed out."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in to keep your place on the server.")}, status=401)
    if rate_limit_hit(
        scope="position-merge", who=requester(request), rate=settings.PROGRESS_MERGE_RATE_LIMIT
    ):
        return JsonResponse({"error": _("Too many syncs in a short time.")}, status=429)
    try:
        merged = positions.parse_merged_positions(request.body, now=timezone.now())
    except positions.PositionError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse({"kept": positions.positions_merge(user=request.user, positions=merged)})


class LeaderboardView(TemplateView):
    template_name = "progress/leaderboard.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "board": week_board(self.request.user)}
