from functools import cache

from django.http import HttpRequest

from comments.models import Notification


def notifications(request: HttpRequest) -> dict:
    """The signed-in learner's unread count for the 🔔 in the header.

    A callable, which templates call when they use it: one query on pages that show the bell
    (however often they mention it), none on the others and none for anonymous readers.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": cache(
            lambda: Notification.objects.filter(recipient=user).unread().count()
        )
    }
