from functools import cache as once

from django.http import HttpRequest

from comments import cache_names
from comments.models import Notification
from lessons.caching import store as cache
from lessons.caching import versions


def notifications(request: HttpRequest) -> dict:
    """The signed-in learner's unread count for the 🔔 in the header.

    A callable, which templates call when they use it: nothing on pages without the bell and for
    anonymous readers. The count is cached per learner under a version their notifications bump
    (comments.receivers), so a page costs one cache read and a query only after a change.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": once(lambda: unread_count(user.pk))}


def unread_count(user_id: int) -> int:
    key = f"comments:unread:{user_id}:{versions.current(cache_names.notifications(user_id))}"
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient_id=user_id).unread().count()
        cache.set(key, count, timeout=versions.VERSION_TIMEOUT)
    return count
