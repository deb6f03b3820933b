"""The full-text index for finding people, beside people_user, in each database's own engine.

Names, title, location and bio are indexed word by word (no stemming: names are not English
words; accents folded) so a word's beginning finds it: "ali" finds "Alice". Departments, teams
and declared skills live in small tables of their own and are matched there
(`waggle/search/people.py`).

SQLite: an FTS5 table over people_user (external content) with prefix indexes for 1 to 3
characters, kept in step by triggers, so every way a person is written (actions, importers,
the demo generator's bulk inserts, the admin site) is indexed. PostgreSQL: a generated
tsvector column (names weighted A, title and location B, bio D) with a GIN index. Plain SQL
on purpose: a migration never imports app code.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

# The username's parts count as words too: "alice.martin" is "alice" and "martin".
SQLITE_COLUMNS = "display_name, first_name, last_name, username, title, location, bio"
SQLITE_FORWARD = [
    f"""CREATE VIRTUAL TABLE people_user_fts USING fts5(
        {SQLITE_COLUMNS}, content='people_user', content_rowid='id',
        tokenize='unicode61 remove_diacritics 2', prefix='1 2 3')""",
    f"""CREATE TRIGGER people_user_fts_insert AFTER INSERT ON people_user BEGIN
        INSERT INTO people_user_fts(rowid, {SQLITE_COLUMNS}) VALUES (new.id,
            new.display_name, new.first_name, new.last_name, new.username, new.title,
            new.location, new.bio);
    END""",
    f"""CREATE TRIGGER people_user_fts_delete AFTER DELETE ON people_user BEGIN
        INSERT INTO people_user_fts(people_user_fts, rowid, {SQLITE_COLUMNS}) VALUES ('delete',
            old.id, old.display_name, old.first_name, old.last_name, old.username, old.title,
            old.location, old.bio);
    END""",
    # Only the indexed columns: signing in (last_login) does not touch the index.
    f"""CREATE TRIGGER people_user_fts_update AFTER UPDATE OF {SQLITE_COLUMNS} ON people_user
    BEGIN
        INSERT INTO people_user_fts(people_user_fts, rowid, {SQLITE_COLUMNS}) VALUES ('delete',
            old.id, old.display_name, old.first_name, old.last_name, old.username, old.title,
            old.location, old.bio);
        INSERT INTO people_user_fts(rowid, {SQLITE_COLUMNS}) VALUES (new.id,
            new.display_name, new.first_name, new.last_name, new.username, new.title,
            new.location, new.bio);
    END""",
    "INSERT INTO people_user_fts(people_user_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS people_user_fts_update",
    "DROP TRIGGER IF EXISTS people_user_fts_delete",
    "DROP TRIGGER IF EXISTS people_user_fts_insert",
    "DROP TABLE IF EXISTS people_user_fts",
]
POSTGRES_FORWARD = [
    # unaccent is a trusted extension (PostgreSQL >= 13): the database owner may create it.
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'waggle_names') THEN
            CREATE TEXT SEARCH CONFIGURATION waggle_names (COPY = simple);
            ALTER TEXT SEARCH CONFIGURATION waggle_names
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;
        END IF;
    END $$""",
    # Punctuation becomes a space first, so "alice.martin" or "ops@acme" are words, not one
    # host name token.
    """ALTER TABLE people_user ADD COLUMN search_document tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('waggle_names'::regconfig, regexp_replace(
            display_name || ' ' || first_name || ' ' || last_name || ' ' || username,
            '[^[:alnum:]]+', ' ', 'g')), 'A')
        || setweight(to_tsvector('waggle_names'::regconfig, regexp_replace(
            title || ' ' || location, '[^[:alnum:]]+', ' ', 'g')), 'B')
        || setweight(to_tsvector('waggle_names'::regconfig, regexp_replace(
            bio, '[^[:alnum:]]+', ' ', 'g')), 'D')) STORED""",
    "CREATE INDEX people_user_search_gin ON people_user USING gin (search_document)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS people_user_search_gin",
    "ALTER TABLE people_user DROP COLUMN IF EXISTS search_document",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS waggle_names",
]


def _run(statements: dict[str, list[str]]) -> Any:
    def run(apps: Any, schema_editor: Any) -> None:
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("people", "0004_enabler_role")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}),
        )
    ]
