"""A fake Kakao, Naver and Google on loopback, for the social sign-in tests (unit and e2e)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from allauth.socialaccount.providers.google.views import GoogleOAuth2Adapter
from allauth.socialaccount.providers.kakao.views import KakaoOAuth2Adapter
from allauth.socialaccount.providers.naver.views import NaverOAuth2Adapter

CREDENTIALS = {
    "kakao": ("kakao-rest-api-key", "kakao-secret"),
    "naver": ("naver-client-id", "naver-secret"),
    "google": ("google-client-id.apps.googleusercontent.com", "google-secret"),
}


class FakeProvider:
    """Token and profile endpoints of Kakao, Naver and Google, on a free loopback port."""

    def __init__(self) -> None:
        self.profiles: dict[str, dict] = {}
        self.token_requests: list[dict[str, list[str]]] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # the token endpoint: /<provider>/token
                provider = self.path.split("/")[1]
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                fake.token_requests.append(parse_qs(body))
                answer = {"access_token": f"{provider}-token", "token_type": "bearer"}
                if provider == "google":
                    answer["id_token"] = fake.google_id_token()
                self.answer(answer)

            def do_GET(self) -> None:  # the profile endpoint: /<provider>/me
                provider = self.path.split("/")[1]
                if self.path.split("?")[0].endswith("/authorize"):
                    # The provider's sign-in page, agreed to at once: back with a code.
                    query = parse_qs(urlsplit(self.path).query)
                    back = f"{query['redirect_uri'][0]}?code=the-code&state={query['state'][0]}"
                    self.send_response(302)
                    self.send_header("Location", back)
                    self.end_headers()
                elif self.headers.get("Authorization") != f"Bearer {provider}-token":
                    self.answer({"error": "invalid token"}, status=401)
                elif provider == "naver":
                    self.answer({"resultcode": "00", "response": fake.profiles["naver"]})
                else:
                    self.answer(fake.profiles[provider])

            def answer(self, data: dict, status: int = 200) -> None:
                body = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def google_id_token(self) -> str:
        # Fetched by Stream itself over the token request, so (as OpenID Connect allows) its
        # signature is not checked; issuer, audience and expiry are.
        claims = {
            "iss": "https://accounts.google.com",
            "aud": CREDENTIALS["google"][0],
            "exp": int(time.time()) + 600,
            "iat": int(time.time()),
            **self.profiles["google"],
        }
        return jwt.encode(claims, "not-checked-" * 3, algorithm="HS256")


@contextmanager
def fake_provider_running(monkeypatch) -> Iterator[FakeProvider]:
    """The fake, serving, with allauth's token and profile addresses pointing at it."""
    fake = FakeProvider()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    for provider, adapter in (
        ("kakao", KakaoOAuth2Adapter),
        ("naver", NaverOAuth2Adapter),
        ("google", GoogleOAuth2Adapter),
    ):
        monkeypatch.setattr(adapter, "authorize_url", f"{fake.url}/{provider}/authorize")
        monkeypatch.setattr(adapter, "access_token_url", f"{fake.url}/{provider}/token")
        if hasattr(adapter, "profile_url"):
            monkeypatch.setattr(adapter, "profile_url", f"{fake.url}/{provider}/me")
    try:
        yield fake
    finally:
        fake.server.shutdown()
        fake.server.server_close()


def providers_configure(settings, *providers: str) -> None:
    """What lessons/settings.py builds from <PROVIDER>_CLIENT_ID and _CLIENT_SECRET."""
    configured = {"kakao": {"SCOPE": ["profile_nickname", "account_email"]}}
    for provider in providers:
        client_id, secret = CREDENTIALS[provider]
        configured.setdefault(provider, {})["APPS"] = [{"client_id": client_id, "secret": secret}]
    settings.SOCIALACCOUNT_PROVIDERS = configured


def kakao_profile(*, email="hana@example.com", verified=True, nickname="하나"):
    return {
        "id": 4242,
        "kakao_account": {
            "email": email,
            "is_email_verified": verified,
            "is_email_valid": True,
            "profile": {"nickname": nickname},
        },
    }
