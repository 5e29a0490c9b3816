"""Answering checks and writing exercise answers: thin views over practice.services.

A check is answered in place (practice.js posts asking for JSON and shows the result under the
check) or, without JavaScript, by a form post that comes back to the check's anchor with the
same result drawn there. Readers who are not signed in are graded too, and nothing is kept for
them on the server (their browser keeps their answers until they sign in): their pages carry no
CSRF token, so that endpoint takes none from them; a signed-in learner's post is checked.
"""

from __future__ import annotations

import json
from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from courses.models import Check, Lesson
from lessons.ratelimits import rate_limit_hit, requester
from lessons.text import control_character_in
from practice import services
from practice.grading import AnswerError, Grade, chosen_parse, grade
from practice.merging import MergeError, parse_merge_payload
from practice.models import ANSWER_MAX_LENGTH

# How a no-JavaScript answer by a reader who is not signed in reaches the page it returns to:
# a message whose tags carry the check and the options chosen (practice.parts draws it).
RESULT_TAG = "check-result"


def _wants_json(request: HttpRequest) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _chosen(request: HttpRequest, check: Check) -> tuple[int, ...]:
    if request.content_type == "application/json":
        try:
            values = json.loads(request.body or b"{}").get("chosen", [])
        except (ValueError, AttributeError):
            raise AnswerError(_("Choose one of the answers shown.")) from None
        if not isinstance(values, list):
            raise AnswerError(_("Choose one of the answers shown."))
    else:
        values = request.POST.getlist("option")
    return chosen_parse(values, options=len(check.options), multiple=check.multiple)


@csrf_exempt
@require_POST
def check_answer_view(request: HttpRequest, check_id: int) -> HttpResponse:
    if request.user.is_authenticated:
        return _answer_signed_in(request, check_id)
    return _answer(request, check_id)


@csrf_protect
def _answer_signed_in(request: HttpRequest, check_id: int) -> HttpResponse:
    return _answer(request, check_id)


def _answer(request: HttpRequest, check_id: int) -> HttpResponse:
    lessons = Lesson.objects.visible_to(request.user)
    check = get_object_or_404(
        Check.objects.select_related("lesson__course").filter(lesson__in=lessons), pk=check_id
    )
    back = f"{check.lesson.get_absolute_url()}#check-{check.number}"
    if rate_limit_hit(scope="check", who=requester(request), rate=settings.CHECK_RATE_LIMIT):
        return _refused(request, back, _("Too many answers in a short time. Try again soon."), 429)
    try:
        chosen = _chosen(request, check)
    except AnswerError as error:
        return _refused(request, back, str(error), 400)
    first, xp = False, 0
    if request.user.is_authenticated:
        answered = services.check_answer(user=request.user, check=check, chosen=chosen)
        graded, first, xp = answered.grade, answered.first, answered.outcome.xp_awarded
    else:
        graded = grade(check.options, chosen)
    if not _wants_json(request):
        if not request.user.is_authenticated:
            tags = f"{RESULT_TAG} check-{check.pk} " + " ".join(f"chose-{i}" for i in chosen)
            messages.info(request, _result_words(graded), extra_tags=tags)
        return redirect(back)
    html = render_to_string(
        "practice/_check_result.html",
        {"check": check, "result": graded.as_data(), "first": first, "xp": xp},
        request,
    )
    return JsonResponse({**graded.as_data(), "first": first, "xp_awarded": xp, "html": html})


def _result_words(graded: Grade) -> str:
    return _("Your answer is right.") if graded.correct else _("Your answer is not right yet.")


def _refused(request: HttpRequest, back: str, message: str, status: int) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"error": message}, status=status)
    messages.error(request, message)
    return redirect(back)


@require_POST
def practice_merge_view(request: HttpRequest) -> JsonResponse:
    """A browser hands over the check answers and exercise drafts it kept while signed out."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Sign in to keep your answers.")}, status=401)
    if rate_limit_hit(
        scope="practice-merge", who=requester(request), rate=settings.PROGRESS_MERGE_RATE_LIMIT
    ):
        return JsonResponse({"error": _("Too many syncs in a short time.")}, status=429)
    try:
        payload = parse_merge_payload(request.body, now=timezone.now())
    except MergeError as error:
        return JsonResponse({"error": str(error)}, status=400)
    kept = services.answers_merge(user=request.user, answers=payload.answers)
    drafts = services.drafts_merge(user=request.user, drafts=payload.drafts)
    return JsonResponse({"answers": kept, "drafts": drafts})


@login_required
@require_POST
def exercise_view(request: HttpRequest, lesson_id: int) -> HttpResponse:
    """Save a draft, submit, mark done or share the learner's exercise answer."""
    lesson = get_object_or_404(
        Lesson.objects.visible_to(request.user).select_related("course"), pk=lesson_id
    )
    back = f"{lesson.get_absolute_url()}#exercise-answer"
    action = request.POST.get("action", "draft")
    text = request.POST.get("text", "")
    message = ""
    try:
        if action in ("draft", "submit"):
            text = _answer_text(text)
            if action == "submit":
                if not text.strip():
                    raise AnswerError(_("Write your answer before submitting it."))
                services.exercise_submit(user=request.user, lesson=lesson, text=text)
                message = _("Answer submitted. Compare it with the guidance below.")
            else:
                services.exercise_draft_save(user=request.user, lesson=lesson, text=text)
                message = _("Draft saved.")
        elif action == "done":
            outcome = services.exercise_done(user=request.user, lesson=lesson)
            message = _("Exercise done.")
            if outcome.xp_awarded:
                message += " " + _("+%(xp)d XP") % {"xp": outcome.xp_awarded}
        elif action == "share":
            comment = services.exercise_share(user=request.user, lesson=lesson)
            message = _("Shared in the discussion.")
            if comment is not None:
                back = f"{lesson.get_absolute_url()}#comment-{comment.pk}"
        else:
            raise AnswerError(_("Unknown action."))
    except AnswerError as error:
        return _refused(request, back, str(error), 400)
    except services.ExerciseStateError as error:
        return _refused(request, back, str(error), 409)
    except services.SharingRefusedError as error:
        return _refused(request, back, str(error), 429 if error.limited else 400)
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": message, "saved_at": _now_iso()})
    messages.success(request, message)
    return redirect(back)


def _answer_text(text: str) -> str:
    text = text.replace("\r\n", "\n")
    if len(text) > ANSWER_MAX_LENGTH:
        raise AnswerError(
            _("Your answer is %(length)d characters long; the limit is %(limit)d.")
            % {"length": len(text), "limit": ANSWER_MAX_LENGTH}
        )
    found = control_character_in(text)
    if found:
        raise AnswerError(
            _("Your answer contains an invisible control character (%(code)s): please remove it.")
            % {"code": found}
        )
    return text


def _now_iso() -> str:
    return datetime.now(tz=timezone.get_current_timezone()).isoformat(timespec="seconds")
