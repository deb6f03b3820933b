"""Keyset pagination for every API list: `?limit=` (1-100, default 20) and an opaque `?cursor=`.

Ninja's own CursorPagination orders by one field plus an offset and passes the decoded cursor
straight into a filter (a forged cursor becomes a 500); this one orders by a unique tuple
(e.g. created_at, id), validates every cursor value against its model field, and answers a
bad cursor with a 400.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from waggle.core.errors import Invalid

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_BIGINT = 2**63 - 1
MAX_CURSOR_CHARS = 1000


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _bad_cursor() -> Invalid:
    return Invalid("This cursor is not valid; start again without one.", field="cursor")


class KeysetPagination(PaginationBase):
    """Pages through a queryset ordered by `ordering`, whose last field must be unique."""

    class Input(Schema):
        limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")
        cursor: str | None = Field(
            None,
            max_length=MAX_CURSOR_CHARS,
            description="`next_cursor` from the previous page; leave out for the first page.",
        )

    class Output(Schema):
        items: list[Any]
        next_cursor: str | None = Field(
            description="Pass as `cursor` to get the next page; null on the last page."
        )

    items_attribute = "items"

    def __init__(self, *, ordering: tuple[str, ...] = ("-id",), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ordering = ordering
        self.fields = [(name.lstrip("-"), name.startswith("-")) for name in ordering]

    def _decode(self, model: Any, cursor: str) -> list[Any]:
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error):
            raise _bad_cursor() from None
        if not isinstance(values, list) or len(values) != len(self.fields):
            raise _bad_cursor()
        cleaned = []
        for (name, _), value in zip(self.fields, values, strict=True):
            if isinstance(value, bool) or not isinstance(value, (str, int)):
                raise _bad_cursor()
            if isinstance(value, int) and not -MAX_BIGINT <= value <= MAX_BIGINT:
                raise _bad_cursor()
            if isinstance(value, str) and "\x00" in value:
                raise _bad_cursor()
            try:
                cleaned.append(model._meta.get_field(name).to_python(value))
            except (ValidationError, FieldDoesNotExist, ValueError, TypeError):
                raise _bad_cursor() from None
            # Cursors we hand out carry aware datetimes; a naive one is forged.
            if isinstance(cleaned[-1], dt.datetime) and timezone.is_naive(cleaned[-1]):
                raise _bad_cursor()
        return cleaned

    def _after(self, values: list[Any]) -> Q:
        """Rows strictly after `values` in the ordering: (a, b) > (x, y) spelled out in Qs."""
        condition = Q()
        for i, (name, descending) in enumerate(self.fields):
            step = Q(**{f"{name}__{'lt' if descending else 'gt'}": values[i]})
            for j, (prev_name, _) in enumerate(self.fields[:i]):
                step &= Q(**{prev_name: values[j]})
            condition |= step
        return condition

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        queryset = queryset.order_by(*self.ordering)
        if pagination.cursor:
            queryset = queryset.filter(self._after(self._decode(queryset.model, pagination.cursor)))
        rows = list(queryset[: pagination.limit + 1])
        items, more = rows[: pagination.limit], len(rows) > pagination.limit
        next_cursor = None
        if more and items:
            last = items[-1]
            next_cursor = _encode([getattr(last, name) for name, _ in self.fields])
        return {"items": items, "next_cursor": next_cursor}
