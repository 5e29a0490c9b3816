from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from courses.models import Lesson
from lessons.ratelimits import rate_limit_hit, requester
from progress.rules import MergePayloadError, UnknownLessonsError, parse_merge_payload
from progress.services import lesson_complete, progress_merge
from progress.summaries import learner_profile


@login_required
@require_POST
def lesson_complete_view(request: HttpRequest, lesson_id: int) -> HttpResponse:
    lesson = get_object_or_404(Lesson.objects.published().select_related("course"), pk=lesson_id)
    outcome = lesson_complete(user=request.user, lesson=lesson)
    if outcome.completed:
        messages.success(
            request,
            _("Lesson complete: +%(xp)s XP.") % {"xp": outcome.xp_awarded},
        )
    else:
        messages.info(request, _("You had already completed this lesson."))
    return redirect(f"{lesson.get_absolute_url()}#progress")


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
    return JsonResponse(
        {
            "merged": len(outcome.completed),
            "xp_awarded": outcome.xp_awarded,
            "achievements": [a.slug for a in outcome.achievements],
        }
    )


class ProfileView(LoginRequiredMixin, TemplateView):
    template_name = "progress/profile.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "profile": learner_profile(self.request.user)}
