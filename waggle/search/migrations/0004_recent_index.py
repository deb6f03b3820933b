"""SQLite: a second FTS5 index over the newest entries only (`recent.py` says why and keeps it).

`search_recent_fts` indexes the same external content as `search_fts`, but only the entries
whose id is above `search_recent_floor.floor`; triggers keep it in step like `search_fts`'s.
A NULL floor turns it off (nothing is written to it). An organization already holding more
than twice `SIZE` entries gets it filled here; a smaller one when it grows (`recent.maintain`).
Plain SQL on purpose: a migration never imports app code, so `SIZE` repeats `recent.SIZE` as it
was when this migration was written. PostgreSQL: nothing (ts_rank_cd reads no statistics).
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

SIZE = 100_000

FORWARD = [
    """CREATE TABLE search_recent_floor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        floor INTEGER)""",
    "INSERT INTO search_recent_floor (id, floor) VALUES (1, NULL)",
    """CREATE VIRTUAL TABLE search_recent_fts USING fts5(
        title, body, content='search_searchentry', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    # A comparison with a NULL floor is never true: off, the triggers write nothing.
    """CREATE TRIGGER search_recent_insert AFTER INSERT ON search_searchentry
        WHEN new.id > (SELECT floor FROM search_recent_floor) BEGIN
        INSERT INTO search_recent_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
    """CREATE TRIGGER search_recent_delete AFTER DELETE ON search_searchentry
        WHEN old.id > (SELECT floor FROM search_recent_floor) BEGIN
        INSERT INTO search_recent_fts(search_recent_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
    END""",
    """CREATE TRIGGER search_recent_update AFTER UPDATE OF title, body ON search_searchentry
        WHEN old.id > (SELECT floor FROM search_recent_floor) BEGIN
        INSERT INTO search_recent_fts(search_recent_fts, rowid, title, body)
            VALUES ('delete', old.id, old.title, old.body);
        INSERT INTO search_recent_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS search_recent_update",
    "DROP TRIGGER IF EXISTS search_recent_delete",
    "DROP TRIGGER IF EXISTS search_recent_insert",
    "DROP TABLE IF EXISTS search_recent_fts",
    "DROP TABLE IF EXISTS search_recent_floor",
]


def forward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in FORWARD:
        schema_editor.execute(sql)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_searchentry")
        if cursor.fetchone()[0] <= 2 * SIZE:
            return
        cursor.execute("SELECT id FROM search_searchentry ORDER BY id DESC LIMIT 1 OFFSET %s",
                       [SIZE])
        floor = cursor.fetchone()[0]
        cursor.execute("UPDATE search_recent_floor SET floor = %s", [floor])
        cursor.execute("INSERT INTO search_recent_fts(rowid, title, body) "
                       "SELECT id, title, body FROM search_searchentry WHERE id > %s", [floor])
        cursor.execute("INSERT INTO search_recent_fts(search_recent_fts) VALUES ('optimize')")


def backward(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "sqlite":
        for sql in BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("search", "0003_thread_embeddings")]

    operations = [migrations.RunPython(forward, backward)]
