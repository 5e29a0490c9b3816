"""The real client behind the proxies Stream trusts, for rate limits and logs.

Behind a reverse proxy every request comes from the proxy's address; the proxy appends the
address it saw to X-Forwarded-For. Only the last TRUSTED_PROXY_COUNT entries were written by
proxies we run, so the client is the entry just before them; anything further left was sent by
the client itself and could be forged.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    trusted = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if trusted <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    # Each of the n trusted proxies appended the address it saw, so the n-th entry from the
    # right was written by the outermost one: the client it saw (as allauth reads it too).
    if len(forwarded) < trusted:
        # Fewer entries than proxies: the request did not come through all of them, and what
        # entries there are may have been written by the client: trust only the connection.
        return remote
    return forwarded[-trusted]
