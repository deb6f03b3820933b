"""How an API request says who it is: a personal access token, or the browser session."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from waggle.api.actions import user_for_token

# `wgl_<12 hex>_<urlsafe secret>`; anything else is rejected before touching the database.
TOKEN_RE = re.compile(r"^wgl_[0-9a-f]{12}_[A-Za-z0-9_-]{16,100}$")


class TokenAuth(HttpBearer):
    """`Authorization: Bearer wgl_...`: a personal access token (create one at /api/tokens)."""

    def authenticate(self, request: HttpRequest, token: str) -> Any | None:
        token = token.strip()
        if not TOKEN_RE.match(token):
            return None
        return user_for_token(token)


class SessionAuth(NinjaSessionAuth):
    """The signed-in browser session; unsafe methods need the CSRF token, as in the web UI.

    Ninja's own session auth checks CSRF before it knows whether anybody is signed in, so an
    anonymous POST would answer 403 instead of 401; here CSRF is checked only for a session
    that actually belongs to somebody.
    """

    def __call__(self, request: HttpRequest) -> Any | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        return super().__call__(request)


def viewer(request: HttpRequest) -> Any:
    """The person making an authenticated API request (set by one of the auth classes)."""
    return request.auth  # type: ignore[attr-defined]
