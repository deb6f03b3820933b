"""SQLite: the recent index, a second FTS5 index over the newest `SIZE` entries only.

Why: before ranking a single row, FTS5's bm25 counts every row that matches each phrase of the
query (the phrase's IDF) by reading its whole doclist, once per statement. A search ranks only
the newest `query.WINDOW` matches, yet a word found in a fifth of 1.5 million entries ("team")
cost 25 ms of bm25 for 1 ms of finding its window (bench/RESULTS.md). When the recent index
holds a window of matches, they are the very rows the whole index would give (both hold every
entry above some id, read newest first), and bm25 reads the recent index's doclists, about
fifteen times shorter at that size; its IDF and lengths are then the newest entries'
statistics. When the recent index holds fewer, the whole index answers (`query.newest_matches`).

Triggers (migration 0004) write every entry whose id is above the floor to it, as
`search_fts`'s do. `maintain` turns it on once the index holds more than twice `SIZE` entries
(below that it would save too little for the writes it costs) and, as entries are added, moves
the floor up to drop the oldest, a tenth of `SIZE` at a time. It runs in a background
task after index writes that make it due (`schedule`), and at the end of a rebuild.
PostgreSQL has no such index: ts_rank_cd reads no collection statistics.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

TABLE = "search_recent_fts"
#: Entries the recent index holds; it may hold a tenth more before the oldest go. A setting
#: (WAGGLE_RECENT_INDEX_SIZE) so that tests can see it work on a few entries.
SIZE = 100_000


def size() -> int:
    return int(getattr(settings, "WAGGLE_RECENT_INDEX_SIZE", SIZE))


#: The floor while a rebuild runs: above every id, so the triggers write nothing and nothing
#: is due; the rebuild's last step fills the index.
PAUSED = 2**62


def floor() -> int | None:
    """The id above which entries are in the recent index; None when it is off."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT floor FROM search_recent_floor")
        row = cursor.fetchone()
    return None if row is None or row[0] == PAUSED else row[0]


def paused() -> bool:
    """Whether a rebuild paused the recent index (and has not filled it yet)."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT floor FROM search_recent_floor")
        row = cursor.fetchone()
    return row is not None and row[0] == PAUSED


def due() -> bool:
    """Whether `maintain` has work: one cheap statement (ids stand in for counts: gaps left by
    deleted entries only make it look due earlier)."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT (SELECT max(id) FROM search_searchentry), "
                       "(SELECT floor FROM search_recent_floor)")
        top, low = cursor.fetchone()
    if top is None or low == PAUSED:
        return False
    return top > 2 * size() if low is None else top - low > size() + size() // 10


def maintain() -> str:
    """Turn the recent index on (or, paused, back on) or drop its oldest entries, as due;
    returns what it did: "filled", "trimmed", "off" or "" (nothing). One transaction: a search
    sees the old index or the new one."""
    if connection.vendor != "sqlite":
        return ""
    with transaction.atomic(), connection.cursor() as cursor:
        # Take the write lock first: a transaction that reads before it writes can find
        # another writer has committed in between, and SQLite then refuses its write.
        cursor.execute("UPDATE search_recent_floor SET floor = floor")
        cursor.execute("SELECT floor FROM search_recent_floor")
        low = cursor.fetchone()[0]
        filling = low is None or low == PAUSED
        if filling:
            cursor.execute("SELECT count(*) FROM search_searchentry")
            if cursor.fetchone()[0] <= 2 * size():
                cursor.execute("UPDATE search_recent_floor SET floor = NULL")
                return "off" if low == PAUSED else ""
        cursor.execute("SELECT id FROM search_searchentry ORDER BY id DESC LIMIT 1 OFFSET %s",
                       [size()])
        row = cursor.fetchone()
        new = row[0] if row else None
        if new is None or (not filling and new <= low):
            return ""
        if filling:
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('delete-all')")
            cursor.execute(f"INSERT INTO {TABLE}(rowid, title, body) "
                           "SELECT id, title, body FROM search_searchentry WHERE id > %s", [new])
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")  # one b-tree
        else:
            cursor.execute(
                f"INSERT INTO {TABLE}({TABLE}, rowid, title, body) "
                "SELECT 'delete', id, title, body FROM search_searchentry "
                "WHERE id > %s AND id <= %s", [low, new])
        cursor.execute("UPDATE search_recent_floor SET floor = %s", [new])
    return "filled" if filling else "trimmed"


def pause() -> None:
    """Empty the recent index and stop writing to it until `maintain` fills it (a rebuild does
    at its end)."""
    if connection.vendor != "sqlite":
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE search_recent_floor SET floor = %s", [PAUSED])
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('delete-all')")


def schedule() -> None:
    """After the current transaction commits, maintain the recent index in a background task
    if it is due."""
    if connection.vendor != "sqlite":
        return

    def enqueue() -> None:
        if due():
            from waggle.search.tasks import maintain_recent_index

            maintain_recent_index.enqueue()

    transaction.on_commit(enqueue)
