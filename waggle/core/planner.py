"""PostgreSQL planner settings for one block of statements.

PostgreSQL's planner prices the test of a tsvector like adding two numbers, so for some full
text statements it picks a plan several times slower than another it could have had (people
search, the search window's slices). The fix it offers is a setting for the statements that
need it, `SET LOCAL` in their own transaction (or savepoint) and undone at the block's end.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

_NAME = re.compile(r"[a-z_]+")


@contextmanager
def planner_settings(**settings: str) -> Iterator[None]:
    """Run the block's statements with these settings (`enable_seqscan="off"`) on PostgreSQL;
    elsewhere, as they are. Inside a caller's transaction `SET LOCAL` would outlast the block,
    so each setting is put back to its default when the block ends."""
    for name, value in settings.items():
        if not (_NAME.fullmatch(name) and (_NAME.fullmatch(value) or value.isdigit())):
            raise ValueError(f"not a planner setting: {name}={value}")
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for name, value in settings.items():
            cursor.execute(f"SET LOCAL {name} = {value}")
        try:
            yield
        finally:
            for name in settings:
                cursor.execute(f"SET LOCAL {name} TO DEFAULT")
