"""The Waggle REST API: one NinjaAPI with token or session auth and JSON errors everywhere."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as SchemaValidationError
from ninja.parser import Parser

from waggle.api.auth import SessionAuth, TokenAuth
from waggle.api.endpoints import (
    exchange,
    expertise,
    follows,
    growth,
    notifications,
    people,
    search,
    spaces,
    tokens,
    topics,
    value,
)
from waggle.core.errors import WaggleError

logger = logging.getLogger(__name__)

DESCRIPTION = """
Everything a member can do in Waggle, as JSON.

**Authentication**: create a personal access token (`POST /api/tokens` while signed in, or
`waggle token create USERNAME NAME` on the server) and send `Authorization: Bearer wgl_...`.
Requests from a signed-in browser work too (unsafe methods then need the CSRF token).

**Lists** take `limit` (1-100, default 20) and `cursor` (the `next_cursor` of the previous
page).

**Errors** are always `{"detail": "...", "field": "... or null"}`: 400 a rule was broken,
401 not signed in, 403 not allowed, 404 not found (or not visible to you), 413 body too large,
422 the input does not match the schema.
"""


class BodyRefused(ValueError):
    """A request body that parses as JSON but that no operation accepts."""


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class ObjectBodyParser(Parser):
    """Request bodies are JSON objects. Ninja would read a list or a bare string as "no fields
    given" and let a PATCH succeed doing nothing; refusing them makes the mistake visible.
    NUL characters are refused too: PostgreSQL cannot store them, SQLite can, and the API
    should answer the same on both."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = super().parse_body(request)
        if not isinstance(data, dict):
            raise BodyRefused("The request body must be a JSON object.")
        if _has_nul(data):
            raise BodyRefused("Text cannot contain NUL (\\u0000) characters.")
        return data


api = NinjaAPI(
    title="Waggle API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # With "ninja" in INSTALLED_APPS the Swagger UI loads its assets from our own static
    # files, never from a CDN (the docs page works offline and leaks no visits).
    docs=Swagger(settings={"persistAuthorization": True}),
    auth=[TokenAuth(), SessionAuth()],
    parser=ObjectBodyParser(),
)


def error_response(
    request: HttpRequest, status: int, detail: str, field: str | None = None, **extra: Any
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "field": field, **extra}, status=status)


def _reject_oversized_body(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse any body over DATA_UPLOAD_MAX_MEMORY_SIZE before auth or parsing, so even an
    operation that never reads its body answers 413 instead of quietly accepting it."""

    @wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and length > limit:
            return error_response(request, 413, f"The request body is larger than {limit} bytes.")
        return run(request, *args, **kwargs)

    return checked


api.add_decorator(_reject_oversized_body, mode="view")


@api.exception_handler(WaggleError)
def _waggle_error(request: HttpRequest, exc: WaggleError) -> HttpResponse:
    return error_response(request, exc.status, exc.message, exc.field)


@api.exception_handler(SchemaValidationError)
def _schema_error(request: HttpRequest, exc: SchemaValidationError) -> HttpResponse:
    """Ninja's 422, with a sentence a person can read first and the details after it."""
    errors = [
        {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type", "")}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"loc": [], "msg": "Invalid input."}
    # loc is like ["body", "payload", "topics", 0] or ["query", "limit"]: the first name
    # after the source is the field.
    names = [str(p) for p in first["loc"] if p not in ("body", "query", "path", "payload")]
    field = names[0] if names else None
    where = ".".join(names)
    detail = f"{where}: {first['msg']}" if where else str(first["msg"])
    return error_response(request, 422, detail, field, errors=errors)


@api.exception_handler(AuthenticationError)
def _not_signed_in(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request,
        401,
        "Sign in first: send 'Authorization: Bearer wgl_...' with a personal access token "
        "(or use the API from a signed-in browser).",
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # Ninja raises these for a body it cannot parse (400) and a failed CSRF check (403).
    if exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
        cause = exc.__cause__
        if isinstance(cause, BodyRefused):
            return error_response(request, 400, str(cause))
        return error_response(request, 400, f"The request body is not valid JSON: {cause}")
    return error_response(request, exc.status_code, exc.message)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "Not found.")


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, "The request body is too large.")


@api.exception_handler(DjangoValidationError)
def _django_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return error_response(request, 400, " ".join(exc.messages) or "Invalid input.")


@api.exception_handler(ValueError)
def _value_error(request: HttpRequest, exc: ValueError) -> HttpResponse:
    # Input that slipped past the schema but that the database refuses (a NUL character in a
    # string for PostgreSQL, say). Logged: a ValueError here usually means a missing check.
    logger.warning("API request refused with ValueError: %s", exc, exc_info=True)
    return error_response(request, 400, "The input contains a value that cannot be stored.")


@api.exception_handler(OverflowError)
def _overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    logger.warning("API request refused with OverflowError: %s", exc, exc_info=True)
    return error_response(request, 400, "A number in the input is out of range.")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A bug: keep the traceback in the log, answer JSON like every other error.
    logger.error("API request failed", exc_info=exc)
    return error_response(request, 500, "Something went wrong on our side; it has been logged.")


# Expertise first: its /people/who-knows must be matched before /people/{username}.
api.add_router("", expertise.router, tags=["expertise and routing"])
api.add_router("", people.router, tags=["people"])
api.add_router("", spaces.router, tags=["spaces"])
api.add_router("", exchange.router, tags=["posts"])
api.add_router("", value.router, tags=["value and kudos"])
api.add_router("", topics.router, tags=["topics"])
api.add_router("", follows.router, tags=["follows"])
api.add_router("", notifications.router, tags=["notifications"])
api.add_router("", tokens.router, tags=["tokens"])
api.add_router("", search.router, tags=["search"])
api.add_router("", growth.router, tags=["goals and mentoring"])
