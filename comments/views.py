"""Discussion, notifications and bug reports: plain forms, POST-redirect-GET, no JavaScript."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.signing import BadSignature
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.generic import ListView

from accounts.services import email_notifications_stop
from comments import rules, threads
from comments.forms import BugReportForm, CommentForm, FlagForm
from comments.models import Comment, CommentFlag, FlagResolution, Notification
from comments.notifications import notifications_mark_read, unsubscribe_token_read
from comments.services import (
    comment_delete,
    comment_edit,
    comment_flag,
    comment_post,
    flag_withdraw,
    replies_wanted,
    report_file,
    thread_subscription_set,
)
from courses.models import Lesson
from lessons.ratelimits import rate_limit_hit, requester
from lessons.text import strip_controls


def _lesson_or_404(request: HttpRequest, course_slug: str, lesson_slug: str) -> Lesson:
    return get_object_or_404(
        Lesson.objects.visible_to(request.user).select_related("course"),
        course__slug=course_slug,
        slug=lesson_slug,
    )


def _comment_or_404(request: HttpRequest, pk: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related("lesson__course", "author__learner_profile"), pk=pk
    )
    # A comment on a lesson the reader cannot see does not exist for them.
    if not Lesson.objects.visible_to(request.user).filter(pk=comment.lesson_id).exists():
        raise Http404
    return comment


def _thread_url(lesson: Lesson) -> str:
    return f"{lesson.get_absolute_url()}#comments"


def _comment_url(comment: Comment) -> str:
    """Where `comment` shows: on its lesson's page, on an older page of a long thread, or, for
    a reply folded away there, on its thread's own page."""
    page = threads.page_of(comment)
    if page is None:
        return f"{reverse('comments:comment', args=[comment.pk])}#comment-{comment.pk}"
    if page == 1:
        return comment.get_absolute_url()
    lesson = comment.lesson
    url = reverse("comments:thread-page", args=[lesson.course.slug, lesson.slug, page])
    return f"{url}#comment-{comment.pk}"


# --- Posting -----------------------------------------------------------------------------------


def _over_limit(request: HttpRequest, form, *, scope: str, rate: str, message: str) -> bool:
    """Count one action against `rate`; beyond it, say `message` on the form (which keeps what
    the reader wrote) and answer True, for the view to reply 429."""
    if not rate_limit_hit(scope=scope, who=requester(request), rate=rate):
        return False
    form.add_error(None, message)
    return True


def _writing_too_fast(request: HttpRequest, form: CommentForm) -> bool:
    """Count a post or an edit against the learner's writing limit. Edits share the limit with
    posts: an edit changes what every reader of the thread sees as much as a new comment does."""
    return _over_limit(
        request,
        form,
        scope="comment",
        rate=settings.COMMENTS_RATE_LIMIT,
        message=_(
            "You are posting faster than Stream allows. Please wait a minute and send "
            "it again: your text is kept below."
        ),
    )


def _post(
    request: HttpRequest, *, form: CommentForm, lesson: Lesson, parent: Comment | None
) -> HttpResponse:
    """Post a valid form, or show it again with its errors and the learner's text kept."""
    status = 200
    if form.is_valid():
        if _writing_too_fast(request, form):
            status = 429
        else:
            comment = comment_post(
                author=request.user, lesson=lesson, body=form.cleaned_data["body"], parent=parent
            )
            messages.success(request, _("Your comment is posted."))
            return redirect(_comment_url(comment))
    context = {"form": form, "lesson": lesson, "parent": parent}
    return render(request, "comments/comment_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def comment_create(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    lesson = _lesson_or_404(request, course_slug, lesson_slug)
    if request.method == "GET":
        # Where signing in from a lesson's thread lands: back to the thread.
        return redirect(_thread_url(lesson))
    return _post(request, form=CommentForm(request.POST), lesson=lesson, parent=None)


@login_required
@require_http_methods(["GET", "POST"])
def comment_reply(request: HttpRequest, pk: int) -> HttpResponse:
    parent = _comment_or_404(request, pk)
    if not parent.is_shown:
        messages.error(request, _("That comment is no longer there to reply to."))
        return redirect(_thread_url(parent.lesson))
    if request.method == "POST":
        return _post(request, form=CommentForm(request.POST), lesson=parent.lesson, parent=parent)
    context = {"form": CommentForm(), "lesson": parent.lesson, "parent": parent}
    return render(request, "comments/comment_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def comment_update(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(request, pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied
    if not comment.can_be_edited_by(request.user):
        if comment.is_shown:
            messages.error(request, _("The time for editing this comment has passed."))
        else:
            messages.error(request, _("This comment can no longer be edited."))
        return redirect(_comment_url(comment))
    form = CommentForm(request.POST or None, initial={"body": comment.body})
    status = 200
    if request.method == "POST" and form.is_valid():
        if _writing_too_fast(request, form):
            status = 429
        else:
            comment_edit(comment=comment, body=form.cleaned_data["body"])
            messages.success(request, _("Your comment is updated."))
            return redirect(_comment_url(comment))
    context = {"form": form, "lesson": comment.lesson, "comment": comment}
    return render(request, "comments/comment_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def comment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(request, pk)
    if comment.author_id != request.user.pk:
        raise PermissionDenied
    if comment.is_removed:
        return redirect(_thread_url(comment.lesson))
    if request.method == "POST":
        comment_delete(comment=comment)
        messages.success(request, _("Your comment is deleted."))
        return redirect(_thread_url(comment.lesson))
    return render(request, "comments/comment_confirm_delete.html", {"comment": comment})


@login_required
@require_POST
def thread_notifications(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    lesson = _lesson_or_404(request, course_slug, lesson_slug)
    active = request.POST.get("notify") == "on"
    thread_subscription_set(user=request.user, lesson=lesson, active=active)
    if active:
        messages.success(request, _("You will be notified of replies to your comments here."))
    else:
        messages.success(request, _("Reply notifications for this lesson are off."))
    return redirect(_thread_url(lesson))


@require_GET
def thread_page(
    request: HttpRequest, course_slug: str, lesson_slug: str, page: int
) -> HttpResponse:
    """An older page of a long thread; the lesson page shows the newest one."""
    lesson = _lesson_or_404(request, course_slug, lesson_slug)
    if page <= 1:
        return redirect(_thread_url(lesson))
    if page > threads.summary(lesson)["pages"]:
        raise Http404
    return render(request, "comments/thread_page.html", {"lesson": lesson, "page": page})


@require_GET
def comment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment's page: its whole thread, each comment with the controls this reader has on it
    (comments.parts), and below this one the reply form. The lesson page's "Reply" leads here."""
    comment = _comment_or_404(request, pk)
    user = request.user
    root = threads.root_of(comment)
    entries = rules.thread_entries(threads.conversation(root))
    signed_in = user.is_authenticated
    # Gone from the thread, it has no controls there: what its author or a learner who flagged
    # it may still do is offered below it.
    gone = signed_in and not comment.is_shown
    flag = threads.reader_flags(request).get(comment.pk) if gone else None
    context = {
        "comment": comment,
        "lesson": comment.lesson,
        "entries": entries,
        "shown": rules.shown_count(entry.comment for entry in entries),
        "focus": comment.pk,
        "form": CommentForm() if signed_in and comment.is_shown else None,
        "can_delete": gone and comment.can_be_deleted_by(user),
        "flag_pending": flag == threads.PENDING,
        "back_url": _comment_url(root),
    }
    return render(request, "comments/comment_detail.html", context)


# --- Flags -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def comment_flag_create(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_or_404(request, pk)
    if comment.author_id == request.user.pk:
        raise PermissionDenied
    if not comment.is_shown:
        return redirect(_thread_url(comment.lesson))
    form = FlagForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if _over_limit(
            request,
            form,
            scope="flag",
            rate=settings.COMMENTS_FLAG_RATE_LIMIT,
            message=_(
                "You have flagged several comments in a short time. Please try again "
                "later: what you wrote is kept below."
            ),
        ):
            status = 429
        else:
            created = comment_flag(
                comment=comment,
                user=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            if created:
                messages.success(request, _("Thank you. Moderators will take a look."))
            else:
                messages.info(request, _("You have already flagged this comment."))
            return redirect(_comment_url(comment))
    context = {"form": form, "comment": comment}
    return render(request, "comments/flag_form.html", context, status=status)


@login_required
@require_GET
def comment_flag_withdraw_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask before taking a flag back. The thread is the same for everyone and knows no flag ids,
    so its "Withdraw flag" link names the comment; the flag is the reader's own on it."""
    comment = _comment_or_404(request, pk)
    flag = CommentFlag.objects.filter(comment=comment, user=request.user).first()
    if flag is None:
        raise Http404
    if flag.resolution != FlagResolution.PENDING:
        messages.info(request, _("Moderators have already reviewed this flag."))
        return redirect(_comment_url(comment))
    return render(request, "comments/flag_withdraw_form.html", {"comment": comment, "flag": flag})


@login_required
@require_POST
def comment_flag_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    flag = get_object_or_404(CommentFlag.objects.select_related("comment__lesson__course"), pk=pk)
    if flag.user_id != request.user.pk:
        raise PermissionDenied
    if flag.resolution != FlagResolution.PENDING:
        messages.info(request, _("Moderators have already reviewed this flag."))
    else:
        flag_withdraw(flag=flag)
        messages.success(request, _("Your flag is withdrawn."))
    return redirect(_comment_url(flag.comment))


# --- Bug reports -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, course_slug: str, lesson_slug: str) -> HttpResponse:
    lesson = _lesson_or_404(request, course_slug, lesson_slug)
    signed_in = request.user.is_authenticated
    form = BugReportForm(request.POST or None, signed_in=signed_in)
    status = 200
    if request.method == "POST" and form.is_valid():
        thanks = _("Thank you! Your report is on its way to the people who write this lesson.")
        if form.is_spam:
            # Say nothing different to a bot: it learns nothing from the reply.
            messages.success(request, thanks)
            return redirect(lesson.get_absolute_url())
        if _over_limit(
            request,
            form,
            scope="report",
            rate=settings.BUG_REPORTS_RATE_LIMIT,
            message=_(
                "You have sent several reports in a short time. Please try again later: "
                "your text is kept below."
            ),
        ):
            status = 429
        else:
            report_file(
                lesson=lesson,
                reporter=request.user,
                category=form.cleaned_data["category"],
                description=form.cleaned_data["description"],
                passage=form.cleaned_data["passage"],
                contact_email=form.cleaned_data.get("contact_email", ""),
                page_url=request.build_absolute_uri(lesson.get_absolute_url()),
                # Sent by the browser, not typed: what it holds besides text is only dropped.
                user_agent=strip_controls(request.headers.get("user-agent", "")),
            )
            messages.success(request, thanks)
            return redirect(lesson.get_absolute_url())
    context = {"form": form, "lesson": lesson}
    return render(request, "comments/report_form.html", context, status=status)


# --- Notifications -----------------------------------------------------------------------------


class NotificationListView(LoginRequiredMixin, ListView):
    template_name = "comments/notification_list.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user).for_list()


@login_required
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_object_or_404(Notification.objects.for_list(), pk=pk, recipient=request.user)
    if notification.read_at is None:
        notifications_mark_read(user=request.user, ids=[notification.pk])
    if notification.comment_id:
        return redirect(_comment_url(notification.comment))
    return redirect(notification.target_url)


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("comments:notifications")


# Mail clients' own unsubscribe buttons POST here without a CSRF token (RFC 8058); the signed
# token is what proves the request comes from the email.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id, lesson_id = unsubscribe_token_read(token)
    except BadSignature:
        return render(request, "comments/unsubscribe_invalid.html", status=400)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        return render(request, "comments/unsubscribe_invalid.html", status=400)
    lesson = (
        Lesson.objects.select_related("course").filter(pk=lesson_id).first() if lesson_id else None
    )
    if request.method == "POST":
        if request.POST.get("scope") == "lesson" and lesson is not None:
            thread_subscription_set(user=user, lesson=lesson, active=False)
        else:
            email_notifications_stop(user=user)
        return redirect(reverse("comments:unsubscribe", kwargs={"token": token}))
    profile = getattr(user, "learner_profile", None)
    context = {
        "lesson": lesson,
        "emails_on": profile is not None and profile.email_notifications,
        "lesson_muted": lesson is not None and not replies_wanted(user=user, lesson=lesson),
    }
    return render(request, "comments/unsubscribe.html", context)
