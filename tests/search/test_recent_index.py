"""SQLite's recent index (`waggle/search/recent.py`): a second FTS5 index over the newest
entries, where a search's window of newest matches is ranked when it holds enough of them.

Run with a recent index of 4 entries and a window of 3 matches, so a few posts show what a
million do."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for
from waggle.exchange.actions import do_ask_question, do_edit_post
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.search import query as search_query
from waggle.search import recent
from waggle.search.index import rebuild_index
from waggle.search.models import SearchEntry
from waggle.search.query import search
from waggle.spaces.actions import do_leave_space
from waggle.spaces.models import Space

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="the recent index is SQLite's: PostgreSQL's ts_rank_cd reads no statistics of the "
           "whole index, so it has nothing to shorten",
)


@pytest.fixture(autouse=True)
def small(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.WAGGLE_RECENT_INDEX_SIZE = 4
    monkeypatch.setattr(search_query, "WINDOW", 3)


def in_recent(word: str) -> set[int]:
    """The entry ids the recent index finds for `word` (read from the index itself)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {recent.TABLE} WHERE {recent.TABLE} MATCH %s",
                       [word])
        return {row[0] for row in cursor.fetchall()}


def above_floor(word_in_title: str) -> set[int]:
    floor = recent.floor()
    assert floor is not None
    return set(SearchEntry.objects.filter(id__gt=floor, title__icontains=word_in_title)
               .values_list("id", flat=True))


def ask(space: Space, user: User, title: str, commits: Any) -> Post:
    with commits(execute=True):  # the recent index is maintained after the commit
        return do_ask_question(space, acting_user=user, title=title, body="Details inside.")


def tables_read(queries: list[dict[str, str]]) -> list[str]:
    """Which full-text index each window statement matched in, in order."""
    found = []
    for q in queries:
        sql = q["sql"]
        if "MATCH" in sql and "bm25(" in sql:
            found.append(recent.TABLE if f"bm25({recent.TABLE}" in sql else "search_fts")
    return found


def test_it_turns_on_past_twice_its_size_and_keeps_the_newest(
    space: Space, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    budget = [ask(space, member, f"Budget review {n}", django_capture_on_commit_callbacks)
              for n in range(8)]
    assert recent.floor() is None  # 8 entries: not more than twice 4
    assert in_recent("budget") == set()
    budget.append(ask(space, member, "Budget review 8", django_capture_on_commit_callbacks))
    floor = recent.floor()
    assert floor is not None
    assert SearchEntry.objects.filter(id__gt=floor).count() == 4
    assert in_recent("budget") == above_floor("budget") == {
        e.id for e in SearchEntry.objects.filter(post__in=budget[-4:])}
    for n in range(9, 14):
        budget.append(ask(space, member, f"Budget review {n}", django_capture_on_commit_callbacks))
    assert recent.floor() > floor  # the oldest were dropped as newer came
    assert in_recent("budget") == above_floor("budget")
    assert len(in_recent("budget")) <= 4


def test_the_window_comes_from_the_recent_index_when_it_holds_enough(
    space: Space, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    old = [ask(space, member, f"Forecast model {n}", django_capture_on_commit_callbacks)
           for n in range(6)]
    new = [ask(space, member, f"Budget review {n}", django_capture_on_commit_callbacks)
           for n in range(5)]
    assert recent.floor() is not None
    with CaptureQueriesContext(connection) as seen:
        results = search(member, "budget", per_page=10)
    assert tables_read(seen.captured_queries) == [recent.TABLE]
    assert results.total == 3 and results.total_capped
    newest = {e.id for e in SearchEntry.objects.filter(post__in=new[-3:])}
    assert {h.entry.id for h in results.hits} == newest
    # "forecast" is only in entries older than the recent index: the whole index answers.
    with CaptureQueriesContext(connection) as seen:
        results = search(member, "forecast", per_page=10)
    assert tables_read(seen.captured_queries) == [recent.TABLE, "search_fts"]
    assert results.total == 3 and results.total_capped
    assert {h.entry.post_id for h in results.hits} == {p.pk for p in old[-3:]}


def test_edits_move_an_entry_in_the_recent_index(
    space: Space, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    posts = [ask(space, member, f"Budget review {n}", django_capture_on_commit_callbacks)
             for n in range(10)]
    with django_capture_on_commit_callbacks(execute=True):
        do_edit_post(posts[-1], acting_user=member, title="Travel policy for contractors")
    assert in_recent("budget") == above_floor("budget")
    assert in_recent("travel") == above_floor("travel") != set()
    assert not any(h.entry.post_id == posts[-1].pk for h in search(member, "budget").hits)


def test_the_gate_holds_in_the_recent_index(
    space: Space, private_space: Space, member: User, outsider: User, other_member: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    for n in range(5):
        ask(space, member, f"Forecast model {n}", django_capture_on_commit_callbacks)
    secret = [ask(private_space, member, f"Merger budget {n}", django_capture_on_commit_callbacks)
              for n in range(5)]
    assert recent.floor() is not None
    ids = {e.post_id for e in SearchEntry.objects.filter(id__in=in_recent("budget"))}
    assert ids and ids <= {p.pk for p in secret}  # the recent index holds the secret ones
    assert search(member, "merger budget").total == 3
    for viewer in (outsider, other_member):
        results = search(viewer, "merger budget")
        assert results.total == 0 and results.hits == []
    do_leave_space(private_space, acting_user=member)
    results = search(member, "merger budget")
    assert results.total == 0 and results.hits == []


def test_a_rebuild_pauses_it_and_fills_it_again(
    space: Space, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(10):
        ask(space, member, f"Budget review {n}", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        rebuild_index()
    floor = recent.floor()
    assert floor is not None
    assert SearchEntry.objects.filter(id__gt=floor).count() == 4
    assert in_recent("budget") == above_floor("budget")


def test_a_small_organization_has_it_off(
    space: Space, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    for n in range(3):
        ask(space, member, f"Budget review {n}", django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        rebuild_index()  # pauses it, then finds too few entries: off
    assert recent.floor() is None and not recent.due()
    assert in_recent("budget") == set()
    assert search(member, "budget").total == 3


def test_the_status_page_says_whether_it_is_on(
    space: Space, member: User, admin_user: User, django_capture_on_commit_callbacks: Any
) -> None:
    def said() -> str:
        page = client_for(admin_user).get("/status/").content.decode()
        return page.split("<dt>Recent index</dt><dd>")[1].split("</dd>")[0]

    assert said().startswith("Off: it turns on when the index holds more than 8 entries")
    for n in range(9):
        ask(space, member, f"Budget review {n}", django_capture_on_commit_callbacks)
    assert said().startswith("On: the newest 4 entries are also indexed apart")
    recent.pause()  # as a rebuild does first; one stopped midway leaves it so
    assert said().startswith("Paused: a rebuild is running, or stopped before its end")
    assert recent.maintain() == "filled"
    assert said().startswith("On:")


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_it_for_an_organization_already_large(
    space: Space, member: User, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    migration = importlib.import_module("waggle.search.migrations.0004_recent_index")
    settings.WAGGLE_RECENT_INDEX_SIZE = 1000  # written before the migration: nothing due
    for n in range(10):
        do_ask_question(space, acting_user=member, title=f"Budget review {n}", body="Details.")
    assert recent.floor() is None
    monkeypatch.setattr(migration, "SIZE", 4)
    try:
        with connection.schema_editor(atomic=False) as editor:  # unapplied, applied again
            migration.backward(None, editor)
            migration.forward(None, editor)
        floor = recent.floor()
        assert floor is not None
        assert SearchEntry.objects.filter(id__gt=floor).count() == 4
        assert in_recent("budget") == above_floor("budget")
    finally:  # the floor is no model's: the flush after this test would leave it on
        with connection.cursor() as cursor:
            cursor.execute("UPDATE search_recent_floor SET floor = NULL")
            cursor.execute(f"INSERT INTO {recent.TABLE}({recent.TABLE}) VALUES ('delete-all')")
