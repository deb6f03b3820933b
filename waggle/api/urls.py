"""URLs under /api/: the ninja API, and JSON answers for unknown paths and methods."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path

from waggle.api.api import api


def _json_method_not_allowed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a wrong method with a plain-text 405; API clients get JSON everywhere."""

    @wraps(view)  # keeps csrf_exempt and the other view attributes
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405:
            return JsonResponse(
                {"detail": f"Method {request.method} is not allowed here.", "field": None},
                status=405,
                headers={"Allow": response.get("Allow", "")},
            )
        return response

    return wrapped


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    return JsonResponse({"detail": "No such API endpoint.", "field": None}, status=404)


ninja_patterns: list[Any] = list(api.urls[0])
for pattern in ninja_patterns:
    if isinstance(pattern, URLPattern):
        pattern.callback = _json_method_not_allowed(pattern.callback)

app_name = "api"
urlpatterns = [*ninja_patterns, re_path(r"", not_found)]
