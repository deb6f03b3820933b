"""The status page: administrators see the search engine, the index's state and imports;
everyone else gets the same 404 as a missing page."""

from __future__ import annotations

from django.test import Client

from tests.conftest import client_for
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.search import semantic
from waggle.search.models import SearchEntry


def test_administrators_see_the_engine_and_an_index_in_step(admin_user: User,
                                                            question: Post) -> None:
    html = client_for(admin_user).get("/status/").content.decode()
    assert "SQLite FTS5" in html or "PostgreSQL full text" in html
    assert "In step: every post and comment is indexed (1 entry)" in html
    # The tests' settings turn semantic ranking off (tests/search/test_hybrid.py turns it on).
    expected = "WAGGLE_SEMANTIC is off" if semantic.available() else "is not installed"
    assert "Lexical only: " in html and expected in html
    assert "No archive has been imported" in html


def test_a_lost_index_is_reported_with_what_to_run(admin_user: User, question: Post) -> None:
    SearchEntry.objects.all().delete()
    html = client_for(admin_user).get("/status/").content.decode()
    assert "1 of 1 posts and comments are not indexed" in html and "waggle search rebuild" in html


def test_others_get_a_404_and_visitors_the_login(member_client: Client) -> None:
    assert member_client.get("/status/").status_code == 404
    response = Client().get("/status/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert "Status</a>" not in member_client.get("/").content.decode()
