"""Semantic ranking in the product: thread embeddings written by the background task, the
exact and approximate vector search, hybrid results in search and "has this been asked?", and
the visibility gate over everything found by meaning. Runs the real model (the `semantic`
extra, which `make test` installs)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.test import Client, override_settings

from tests.conftest import client_for
from tests.web.test_browser import browser, shot, sign_in  # noqa: F401 - browser: a fixture
from waggle.exchange.actions import do_answer_question, do_ask_question, do_edit_post
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.search import embeddings, semantic, vectors
from waggle.search.models import ThreadEmbedding
from waggle.search.query import SearchFilters, search
from waggle.search.similar import similar_questions
from waggle.spaces.actions import do_leave_space
from waggle.spaces.models import Space

pytestmark = pytest.mark.skipif(not semantic.available(), reason=semantic.MISSING)

VPN = "What do I do when the VPN drops every few minutes?"
# Shares no word with VPN's title or body (so lexical search cannot find it that way).
SAME_PROBLEM = "laptop keeps losing its connection to the office network"


@pytest.fixture(autouse=True)
def semantic_on(tmp_path: Path) -> Iterator[None]:
    with override_settings(WAGGLE_SEMANTIC="auto", WAGGLE_VECTOR_DIR=tmp_path / "vectors"):
        vectors.forget()
        yield
    vectors.forget()


@pytest.fixture
def threads(space: Space, private_space: Space, member: User, other_member: User,
            django_capture_on_commit_callbacks: Any) -> dict[str, Post]:
    """A few threads, embedded by the real background task after each commit."""
    with django_capture_on_commit_callbacks(execute=True):
        vpn = do_ask_question(space, acting_user=member, title=VPN,
                              body="The tunnel disconnects and I lose my session.")
        do_answer_question(vpn, acting_user=other_member,
                           body="Switch the client to TCP mode; UDP is blocked on guest wifi.")
        lunch = do_ask_question(space, acting_user=member,
                                title="Where can we order lunch for a team offsite?",
                                body="Twelve people, vegetarian options.")
        secret = do_ask_question(private_space, acting_user=member,
                                 title="Wireless in the acquisition target's office is flaky",
                                 body="Their network drops our laptops every hour.")
    return {"vpn": vpn, "lunch": lunch, "secret": secret}


def titles(user: Any, text: str, **kwargs: Any) -> list[str]:
    return [str(hit.entry.thread) for hit in search(user, text, **kwargs).hits]


def test_the_background_task_embeds_threads_and_skips_unchanged_text(
    threads: dict[str, Post], member: User, django_capture_on_commit_callbacks: Any
) -> None:
    stored = ThreadEmbedding.objects.get(thread=threads["vpn"])
    assert stored.model == embeddings.MODEL_NAME and len(stored.vector) == 384 * 4
    assert ThreadEmbedding.objects.count() == 3  # three threads; the answer joined its thread
    # Nothing changed: nothing is encoded again.
    assert embeddings.embed([t.pk for t in threads.values()]).unchanged == 3
    # An edit changes the text: the task encodes that thread again.
    with django_capture_on_commit_callbacks(execute=True):
        do_edit_post(threads["lunch"], acting_user=member,
                     title="Where can we order dinner for a team offsite?",
                     body="Twelve people, vegetarian options.")
    assert ThreadEmbedding.objects.get(thread=threads["lunch"]).text_hash != stored.text_hash
    assert embeddings.embed([threads["lunch"].pk]).unchanged == 1


def test_search_finds_the_same_problem_in_other_words(threads: dict[str, Post],
                                                      other_member: User) -> None:
    results = search(other_member, SAME_PROBLEM)
    assert results.ranking == "hybrid"
    assert [str(h.entry.thread) for h in results.hits][:1] == [VPN]
    assert results.total == len(results.hits)
    # Lexically it finds nothing: every word is required and VPN's thread has none of them.
    with override_settings(WAGGLE_SEMANTIC="off"):
        assert search(other_member, SAME_PROBLEM).total == 0


def test_meaning_never_reveals_what_the_viewer_may_not_see(
    threads: dict[str, Post], member: User, other_member: User, outsider: User,
    private_space: Space,
) -> None:
    query = "the office wifi drops laptops"  # nearest: the private thread
    assert "Wireless in the acquisition target's office is flaky" in titles(member, query)
    for person in (other_member, outsider):
        results = search(person, query)
        shown = [h.entry.thread_id for h in results.hits]
        assert threads["secret"].pk not in shown
        assert results.total == len(shown)  # nor counted
    do_leave_space(private_space, acting_user=member)
    assert threads["secret"].pk not in [h.entry.thread_id for h in search(member, query).hits]


def test_filters_apply_to_what_is_found_by_meaning(threads: dict[str, Post],
                                                   other_member: User) -> None:
    assert titles(other_member, SAME_PROBLEM, filters=SearchFilters(answered=False)) == []
    assert titles(other_member, SAME_PROBLEM, filters=SearchFilters(kinds=["update"])) == []
    assert VPN in titles(other_member, SAME_PROBLEM, filters=SearchFilters(answered=True))


def test_query_language_and_newest_first_stay_lexical(threads: dict[str, Post],
                                                      other_member: User) -> None:
    assert search(other_member, '"office network"').ranking == "lexical"
    assert search(other_member, "office -lunch").ranking == "lexical"
    assert search(other_member, "vpn", order="newest").ranking == "lexical"
    assert search(other_member, "vpn").ranking == "hybrid"


def test_has_this_been_asked_suggests_questions_said_differently(
    threads: dict[str, Post], other_member: User, outsider: User
) -> None:
    found = similar_questions(other_member, "laptop keeps getting kicked off the company network")
    assert found and found[0].question.pk == threads["vpn"].pk
    assert threads["secret"].pk not in [s.question.pk for s in found]
    # Ordering lunch is not close to it: only what scores near the best is suggested.
    assert threads["lunch"].pk not in [s.question.pk for s in found]
    with override_settings(WAGGLE_SEMANTIC="off"):  # no word in common: nothing lexically
        assert similar_questions(other_member, "laptop keeps getting kicked off the company network"
                                 ) == []


def test_approximate_index_answers_like_the_exact_one(
    threads: dict[str, Post], member: User, other_member: User, tmp_path: Path,
    django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    exact = titles(member, SAME_PROBLEM)
    with override_settings(WAGGLE_VECTOR_APPROXIMATE_FROM=2):
        assert vectors.rebuild_approximate_if_due()
        assert not vectors.rebuild_approximate_if_due()  # current: not rebuilt
        vectors.forget()
        index = vectors.current()
        assert index.approximate is not None and len(index.approximate) == 3
        assert len(index.exact) == 0  # nothing changed since it was built
        assert titles(member, SAME_PROBLEM) == exact
        # The cosines of lexical matches come from the float16 matrix saved beside the graph:
        # the stored vectors' own cosines, to float16's precision.
        assert index.approximate.vectors is not None
        assert index.approximate.vectors.shape == (3, semantic.DIMENSION)
        query = semantic.encode([SAME_PROBLEM])[0]
        stored = {row.thread_id: float(np.frombuffer(bytes(row.vector), dtype=np.float32) @ query)
                  for row in ThreadEmbedding.objects.all()}
        assert index.cosines(query, [*stored, 10**9]) == pytest.approx(stored, abs=2e-3)
        assert threads["secret"].pk not in [h.entry.thread_id
                                            for h in search(other_member, SAME_PROBLEM).hits]
        # A thread written after the build is searched exactly beside the graph (until a
        # tenth of the vectors changed: then the task rebuilds the graph).
        monkeypatch.setattr(vectors, "REBUILD_SHARE", 1.0)
        with django_capture_on_commit_callbacks(execute=True):
            newer = do_ask_question(threads["vpn"].space, acting_user=other_member,
                                    title="Remote desktop freezes on the hotel network")
        index = vectors.current()
        assert len(index.exact) == 1
        assert newer.pk in [h.entry.thread_id for h in search(member, SAME_PROBLEM).hits]
        assert vectors.approximate_status()["vectors"] == 3
        monkeypatch.setattr(vectors, "REBUILD_SHARE", 0.1)
        assert vectors.rebuild_approximate_if_due()
        index = vectors.current()
        assert len(index.approximate or ()) == 4 and len(index.exact) == 0
        assert newer.pk in [h.entry.thread_id for h in search(member, SAME_PROBLEM).hits]


def test_a_refresh_reads_no_vector_it_already_holds(
    threads: dict[str, Post], other_member: User, django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def vectors_read() -> int:
        """Statements of a refresh that read vectors."""
        with CaptureQueriesContext(connection) as captured:
            index.refresh(force=True)
        return sum('"vector"' in q["sql"] for q in captured.captured_queries)

    with override_settings(WAGGLE_VECTOR_APPROXIMATE_FROM=2):
        assert vectors.rebuild_approximate_if_due()  # the three threads, just written
        vectors.forget()
        index = vectors.current()
        assert index.approximate is not None and len(index.exact) == 0
        # The rows written just before the build are looked at again (they might have
        # committed late), by key and time only: their vectors are in the graph.
        assert vectors_read() == 0
        monkeypatch.setattr(vectors, "REBUILD_SHARE", 1.0)  # the task keeps the graph
        with django_capture_on_commit_callbacks(execute=True):
            newer = do_ask_question(threads["vpn"].space, acting_user=other_member,
                                    title="Remote desktop freezes on the hotel network")
        assert vectors_read() == 1 and newer.pk in index.exact.ids[:len(index.exact)]
        assert vectors_read() == 0  # held now: not read again


def test_status_page_says_how_search_ranks(threads: dict[str, Post], admin_user: User) -> None:
    html = client_for(admin_user).get("/status/").content.decode()
    assert "Words and meaning (hybrid): 3 of 3 threads have an embedding" in html
    assert "Exact (an approximate index is built from 50,000 vectors on)" in html
    with override_settings(WAGGLE_SEMANTIC="off"):
        html = client_for(admin_user).get("/status/").content.decode()
    assert "Lexical only: WAGGLE_SEMANTIC is off" in html


def test_page_and_api_say_when_results_are_ranked_by_meaning(
    threads: dict[str, Post], other_member: User, outsider_client: Client
) -> None:
    client = client_for(other_member)
    html = client.get("/search/", {"q": SAME_PROBLEM}).content.decode()
    assert "by words and meaning" in html and VPN in html
    body = client.get("/api/search", {"q": SAME_PROBLEM}).json()
    assert body["ranking"] == "hybrid" and body["results"][0]["thread_id"] == threads["vpn"].pk
    secret = threads["secret"]
    assert secret.title not in outsider_client.get("/search/", {"q": SAME_PROBLEM}
                                                   ).content.decode()
    found = outsider_client.get("/api/search", {"q": SAME_PROBLEM}).json()
    assert secret.pk not in [hit["thread_id"] for hit in found["results"]]
    assert found["total"] == len(found["results"])


def test_embed_command_fills_in_what_the_task_missed(
    space: Space, member: User, capsys: Any
) -> None:
    from django.core.management import CommandError, call_command

    do_ask_question(space, acting_user=member, title=VPN)  # no commit hooks run: not embedded
    assert ThreadEmbedding.objects.count() == 0
    call_command("search", "embed", "--no-progress")
    assert "1 encoded" in capsys.readouterr().out
    assert ThreadEmbedding.objects.count() == 1
    with override_settings(WAGGLE_SEMANTIC="off"), pytest.raises(CommandError, match="off"):
        call_command("search", "embed", "--no-progress")


@pytest.mark.browser
def test_in_the_browser_questions_said_differently_are_suggested_and_found(
    transactional_db: Any, live_server: Any, browser: Any,  # noqa: F811 - the fixture
    space: Space, member: User, other_member: User,
) -> None:
    from playwright.sync_api import expect

    # Committed for real: the embedding task runs after each commit, as in production.
    asked = do_ask_question(space, acting_user=other_member, title=VPN,
                            body="The tunnel disconnects and I lose my session.")
    do_answer_question(asked, acting_user=member,
                       body="Switch the client to TCP mode; UDP is blocked on guest wifi.")
    page = sign_in(browser, live_server.url, "mira")
    page.goto("/ask/")
    page.get_by_label("Title").press_sequentially(
        "laptop keeps getting kicked off the company network", delay=20)
    suggestions = page.locator("#similar-questions")
    expect(suggestions.get_by_role("link", name=VPN)).to_be_visible()
    expect(suggestions).to_contain_text("1 answer")
    shot(page, "30-asked-in-other-words")

    header_search = page.get_by_role("banner").get_by_label("Search Waggle")
    header_search.fill(SAME_PROBLEM)
    header_search.press("Enter")
    results = page.locator("#search-results")
    expect(results.locator(".search-count")).to_contain_text("by words and meaning")
    expect(results.locator(".search-hit").first).to_contain_text(VPN)
    shot(page, "31-found-by-meaning")
