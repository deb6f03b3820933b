"""The one wrapper every page uses: sign-in required, and the gate's errors as HTTP answers."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from waggle.core.errors import NotAllowed, NotFound

View = Callable[..., HttpResponse]


def page(methods: tuple[str, ...] = ("GET",)) -> Callable[[View], View]:
    """Anonymous visitors go to the login page; `NotFound` becomes our 404 page (never saying
    whether a private thing exists) and `NotAllowed` our 403 page. `Invalid` is handled in
    each view, next to the form field it names."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, *args, **kwargs)
            except NotFound as exc:
                raise Http404(exc.message) from None
            except NotAllowed as exc:
                raise PermissionDenied(exc.message) from None

        return login_required(require_http_methods(list(methods))(wrapped))

    return decorate
