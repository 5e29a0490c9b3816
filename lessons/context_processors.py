from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from lessons.caching.pages import canonical_path


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "site_name": settings.SITE_NAME,
        # Where "sign in" and the language switch come back to: on a cached page its canonical
        # address (a copy shared by every reader must not name one reader's query string).
        "here": SimpleLazyObject(lambda: canonical_path(request)),
    }
