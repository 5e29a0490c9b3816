from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from progress.services import announcements_take


def announcements(request: HttpRequest) -> dict:
    """Achievements earned since the learner's last page, shown (and marked seen) only when a
    template actually displays them; nothing at all for readers who are not signed in."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"announcements": ()}
    return {"announcements": SimpleLazyObject(lambda: announcements_take(user=user))}
