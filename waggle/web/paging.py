"""Keyset ("older / newer") pagination for every list page: no OFFSET, no COUNT(*).

A page is the first `size` rows after (or before) a cursor, fetched with LIMIT size+1 so we
know whether there is more. The cursor is the sort key of the last (or first) row shown,
base64 JSON in the URL; a malformed cursor simply shows the first page.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, Self, TypeVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Field, Model, Q
from django.http import QueryDict

T = TypeVar("T", bound=Model)
T_co = TypeVar("T_co", bound=Model, covariant=True)
PAGE_SIZE = 20
MAX_CURSOR_CHARS = 1000


class Pageable(Protocol[T_co]):
    """What `keyset_page` reads: a QuerySet, or anything offering the same few methods
    (the home feed's `MergedFeed`)."""

    @property
    def model(self) -> type[Model]: ...

    def filter(self, *args: Any, **kwargs: Any) -> Self: ...

    def order_by(self, *field_names: str) -> Self: ...

    def __getitem__(self, window: slice) -> Iterable[T_co]: ...


@dataclass
class Page(Generic[T]):
    items: list[T]
    older: str | None  # cursor for the next page (further down the ordering)
    newer: str | None  # cursor for the previous page
    is_first: bool

    def link(self, params: QueryDict, direction: str) -> str | None:
        """`?...` for the older/newer page, keeping the other query parameters."""
        cursor = self.older if direction == "after" else self.newer
        if cursor is None:
            return None
        query = params.copy()
        query.pop("after", None)
        query.pop("before", None)
        query[direction] = cursor
        return "?" + query.urlencode()

    def first_link(self, params: QueryDict) -> str:
        query = params.copy()
        query.pop("after", None)
        query.pop("before", None)
        return "?" + query.urlencode() if query else "?"


def _encode(values: list[Any]) -> str:
    plain = [v.isoformat() if isinstance(v, dt.datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(model: type[Model], fields: list[str], cursor: str | None) -> list[Any] | None:
    if not cursor or len(cursor) > MAX_CURSOR_CHARS:
        return None
    try:
        raw = base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode("ascii"))
        values = json.loads(raw)
    except (ValueError, UnicodeError, binascii.Error):
        return None
    if not isinstance(values, list) or len(values) != len(fields):
        return None
    cleaned = []
    for name, value in zip(fields, values, strict=True):
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            return None
        if isinstance(value, int) and not -(2**63) < value < 2**63:
            return None
        try:
            field = model._meta.get_field(name)
            # Orderings name the model's own columns, never a reverse relation.
            assert isinstance(field, Field), f"cannot page by {name!r}"
            cleaned.append(field.to_python(value))
        except (ValidationError, FieldDoesNotExist, ValueError, TypeError):
            return None
    return cleaned


def _beyond(keys: list[tuple[str, bool]], values: list[Any], forward: bool) -> Q:
    """Rows strictly beyond `values` in the ordering (or before it when not `forward`).

    Written as `k0 <= v0 AND (k0 < v0 OR (k0 = v0 AND k1 < v1) ...)` rather than the bare OR,
    so the first key is an index range condition and the database starts the walk at the
    cursor instead of filtering from the top of the index.
    """

    def op(desc: bool, strict: bool) -> str:
        goes_down = desc == forward
        return ("lt" if strict else "lte") if goes_down else ("gt" if strict else "gte")

    first, first_desc = keys[0]
    either = Q()
    for i, (name, desc) in enumerate(keys):
        equal = {keys[j][0]: values[j] for j in range(i)}
        either |= Q(**equal, **{f"{name}__{op(desc, True)}": values[i]})
    return Q(**{f"{first}__{op(first_desc, False)}": values[0]}) & either


def keyset_page(
    queryset: Pageable[T],
    ordering: Sequence[str],
    params: QueryDict,
    *,
    size: int = PAGE_SIZE,
) -> Page[T]:
    """One page of `queryset` in `ordering` (whose last field must be unique), positioned by
    `?after=` (older) or `?before=` (newer) in `params`."""
    keys = [(name.lstrip("-"), name.startswith("-")) for name in ordering]
    fields = [name for name, _ in keys]
    model = queryset.model
    after = _decode(model, fields, params.get("after"))
    before = None if after is not None else _decode(model, fields, params.get("before"))

    if before is not None:
        reverse = [name[1:] if name.startswith("-") else f"-{name}" for name in ordering]
        rows = list(queryset.filter(_beyond(keys, before, False)).order_by(*reverse)[: size + 1])
        more_newer = len(rows) > size
        items = list(reversed(rows[:size]))
        if not items:
            return keyset_page(queryset, ordering, QueryDict(), size=size)
        return Page(
            items=items,
            older=_encode([getattr(items[-1], f) for f in fields]),
            newer=_encode([getattr(items[0], f) for f in fields]) if more_newer else None,
            is_first=not more_newer,
        )

    qs = queryset.order_by(*ordering)
    if after is not None:
        qs = qs.filter(_beyond(keys, after, True))
    rows = list(qs[: size + 1])
    items = rows[:size]
    return Page(
        items=items,
        older=_encode([getattr(items[-1], f) for f in fields]) if len(rows) > size else None,
        newer=_encode([getattr(items[0], f) for f in fields]) if after is not None and items
        else None,
        is_first=after is None,
    )
