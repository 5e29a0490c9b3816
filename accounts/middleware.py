from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

from accounts.services import LANGUAGE_SESSION_KEY


class LearnerLanguageMiddleware:
    """A signed-in learner's saved language wins over the cookie and the browser's."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Only a request that carries a session cookie can have a saved language; checking the
        # cookie first keeps anonymous pages free of session look-ups.
        if request.COOKIES.get(settings.SESSION_COOKIE_NAME) and request.user.is_authenticated:
            language = request.session.get(LANGUAGE_SESSION_KEY)
            if language:
                translation.activate(language)
                request.LANGUAGE_CODE = language
        return self.get_response(request)
