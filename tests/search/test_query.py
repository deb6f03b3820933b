"""Search through the real engine of the database under test (FTS5 or PostgreSQL): matching,
ranking, the query language, filters, snippets, and the visibility gate inside the query."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction

from tests.conftest import make_person
from waggle.exchange.actions import (
    do_answer_question,
    do_ask_question,
    do_comment,
    do_edit_post,
    do_post_lesson,
    do_post_update,
)
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.search.index import rebuild_index
from waggle.search.language import fts5_expression, parse_query, tsquery_text
from waggle.search.models import SearchEntry
from waggle.search.query import SearchFilters, best_matches, matching, search
from waggle.spaces.actions import do_leave_space
from waggle.spaces.models import Space


def found(user: Any, text: str, **filters: Any) -> list[tuple[str, int]]:
    results = search(user, text, SearchFilters(**filters) if filters else None, per_page=100)
    return [(h.entry.kind, h.entry.comment_id or h.entry.post_id) for h in results.hits]


# --- the query language ---------------------------------------------------------------------

def test_words_phrases_or_and_exclusions_are_parsed() -> None:
    q = parse_query('vpn "split tunnel" mac OR linux -windows')
    assert q.groups == ((("vpn",),), (("split", "tunnel"),), (("mac",), ("linux",)))
    assert q.excluded == (("windows",),)
    assert fts5_expression(q) == '"vpn" AND "split tunnel" AND ("mac" OR "linux") NOT "windows"'
    assert tsquery_text(q) == ("((vpn)) & ((split <-> tunnel)) & ((mac) | (linux))"
                               " & !(windows)")


@pytest.mark.parametrize("text", ['"unclosed', "AND OR NOT", "a*b:c", "(((", "-", "NEAR(a b)",
                                  "'; DROP TABLE x; --", "c++ & !|", '""'])
def test_any_input_is_a_query_never_a_syntax_error(member: User, question: Post, text: str
                                                   ) -> None:
    search(member, text)  # neither engine raises on what a person may type


def test_only_exclusions_or_punctuation_find_nothing(member: User, question: Post) -> None:
    assert search(member, "-postgres").total == 0
    assert search(member, "!!! ???").total == 0


# --- matching and ranking -------------------------------------------------------------------

def test_questions_answers_comments_updates_and_lessons_are_found(
    space: Space, member: User, other_member: User, question: Post
) -> None:
    answer = do_answer_question(question, acting_user=other_member,
                                body="Run EXPLAIN ANALYZE on the slowest report query.")
    comment = do_comment(answer, acting_user=member, body="The vacuum settings mattered too.")
    update = do_post_update(space, acting_user=member, body="Rewrote the nightly vacuum job.")
    lesson = do_post_lesson(space, acting_user=member, title="Vacuum before the big import",
                            tried="Importing first", happened="Bloat", next_time="Vacuum first")
    assert found(member, "explain analyze") == [("answer", answer.pk)]
    assert set(found(member, "vacuum")) == {("comment", comment.pk), ("update", update.pk),
                                            ("lesson", lesson.pk)}
    assert found(member, "tune postgres") == [("question", question.pk)]


def test_stemming_and_accents(space: Space, member: User) -> None:
    q = do_ask_question(space, acting_user=member, title="Café opening hours for deployments",
                        body="When are the deploying windows?")
    assert found(member, "cafe") == [("question", q.pk)]
    assert found(member, "deploy") == [("question", q.pk)]


def test_a_title_match_ranks_above_a_body_match(space: Space, member: User) -> None:
    body = do_ask_question(space, acting_user=member, title="Question about our reports",
                           body="Someone said kubernetes is involved somewhere in this.")
    title = do_ask_question(space, acting_user=member, title="Kubernetes upgrade checklist",
                            body="What do we check before upgrading the cluster?")
    assert [pk for _, pk in found(member, "kubernetes")] == [title.pk, body.pk]


def test_edits_and_new_comments_are_searchable_at_once(member: User, question: Post) -> None:
    assert found(member, "indexes") == []
    do_edit_post(question, acting_user=member, body="Slow reports; are indexes missing?")
    assert found(member, "indexes") == [("question", question.pk)]
    assert found(member, "minutes") == []  # the old text is gone from the index
    comment = do_comment(question, acting_user=member, body="Found three missing indexes.")
    assert ("comment", comment.pk) in found(member, "indexes")


def test_snippets_mark_the_words_and_escape_the_text(space: Space, member: User) -> None:
    do_ask_question(space, acting_user=member, title="Why does <script> break the wiki?",
                    body="Pasting <b>markup</b> into the wiki page breaks the preview.")
    hit = search(member, "wiki").hits[0]
    assert "<mark>wiki</mark>" in hit.title_html
    assert "&lt;script&gt;" in hit.title_html and "<script>" not in hit.title_html
    assert "<mark>wiki</mark>" in hit.snippet_html
    assert "<b>" not in hit.snippet_html


def test_answers_show_the_title_of_their_question(member: User, question: Post,
                                                  answer: Post) -> None:
    hit = search(member, "explain").hits[0]
    assert hit.entry.post_id == answer.pk and "tune" in hit.title_html


def test_anonymous_questions_are_found_but_never_by_their_asker(space: Space,
                                                                member: User) -> None:
    q = do_ask_question(space, acting_user=member, title="Is the reorg going to cut my team?",
                        anonymous=True)
    assert found(member, "reorg") == [("question", q.pk)]
    assert found(member, "reorg", author="mira") == []
    assert SearchEntry.objects.get(post=q).author_id is None


# --- filters, counts and pages --------------------------------------------------------------

def test_filters_by_space_kind_topic_author_date_and_answered(
    space: Space, private_space: Space, member: User, other_member: User, host: User
) -> None:
    asked = do_ask_question(space, acting_user=member, title="Budget review #finance",
                            body="What does the budget review need?")
    answered = do_ask_question(private_space, acting_user=host, title="Budget freeze dates",
                               body="When is the budget freeze?",
                               created_at=dt.datetime(2024, 1, 10, tzinfo=dt.UTC))
    do_answer_question(answered, acting_user=member, body="The budget freezes in March.")
    update = do_post_update(space, acting_user=other_member, body="Budget sheet is shared.")

    assert {pk for _, pk in found(member, "budget", space=private_space.slug)} == {
        answered.pk, answered.answers.get().pk}
    assert found(member, "budget", kinds=["update"]) == [("update", update.pk)]
    assert found(member, "budget", topic="finance") == [("question", asked.pk)]
    assert found(member, "budget", author="otto") == [("update", update.pk)]
    assert found(member, "budget", until=dt.date(2024, 12, 31)) == [("question", answered.pk)]
    assert ("question", answered.pk) not in found(member, "budget", since=dt.date(2025, 1, 1))
    assert found(member, "budget", answered=False) == [("question", asked.pk)]
    assert set(found(member, "budget", answered=True, kinds=["question"])) == {
        ("question", answered.pk)}


def test_counts_and_pages_are_exact(space: Space, member: User) -> None:
    for i in range(25):
        do_ask_question(space, acting_user=member, title=f"Onboarding checklist part {i}")
    first = search(member, "onboarding", per_page=10)
    third = search(member, "onboarding", per_page=10, page=3)
    assert (first.total, first.pages, len(first.hits)) == (25, 3, 10)
    assert (third.total, len(third.hits), third.has_next, third.has_previous) == (25, 5, False,
                                                                                  True)
    seen = {h.entry.pk for p in (1, 2, 3) for h in search(member, "onboarding", per_page=10,
                                                          page=p).hits}
    assert len(seen) == 25
    newest = search(member, "onboarding", order="newest", per_page=3).hits
    assert [h.entry.created_at for h in newest] == sorted(
        (h.entry.created_at for h in newest), reverse=True)


# --- the visibility gate ----------------------------------------------------------------------

def test_private_content_is_never_found_counted_or_snippeted_by_outsiders(
    member: User, outsider: User, private_question: Post, question: Post
) -> None:
    do_comment(private_question, acting_user=member, body="The acquisition target is Initech.")
    assert search(member, "acquiring").total == 1
    assert search(member, "initech").total == 1
    for text in ("acquiring", "initech", "confidential", "deal", "firm OR postgres"):
        results = search(outsider, text, per_page=50)
        assert all(h.entry.space_id == question.space_id for h in results.hits), text
        assert results.total == len(results.hits), text
    assert search(outsider, "initech").total == 0
    assert search(outsider, "acquiring", SearchFilters(space="mergers")).total == 0


def test_leaving_a_private_space_hides_it_from_search_at_once(
    private_space: Space, private_question: Post
) -> None:
    leaver = make_person("lena")
    from waggle.spaces.actions import do_invite_to_space, do_respond_to_invitation

    invitation = do_invite_to_space(private_space, leaver, acting_user=private_space.memberships
                                    .get(role="host").user)
    do_respond_to_invitation(invitation, accept=True, acting_user=leaver)
    assert search(leaver, "acquiring").total == 1
    do_leave_space(private_space, acting_user=leaver)
    assert search(leaver, "acquiring").total == 0


def test_guests_find_only_their_external_spaces(guest: User, question: Post,
                                                external_question: Post) -> None:
    assert found(guest, "export") == [("question", external_question.pk)]
    assert search(guest, "postgres").total == 0


def test_anonymous_visitors_find_nothing(question: Post) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert search(AnonymousUser(), "postgres").total == 0


# --- rebuild ----------------------------------------------------------------------------------

def test_rebuild_restores_a_lost_index(member: User, question: Post, answer: Post) -> None:
    do_comment(question, acting_user=member, body="Thanks, the planner output helped.")
    before = sorted(found(member, "explain OR planner OR postgres"))
    SearchEntry.objects.all().delete()
    assert found(member, "postgres") == []
    assert rebuild_index() == 3
    assert sorted(found(member, "explain OR planner OR postgres")) == before


# The ways PostgreSQL finds the newest matches (SQLite ignores these): walking the primary key;
# slices of the newest entries, widened until enough turn up; slices read as bitmaps that run
# out, then the rest from the GIN index; the GIN index at once (`query._newest_postgres`).
SLICINGS = {
    "walk-the-key": {"SPARSE": 0},
    "slices": {"SPARSE": 10**9, "KEYS_PER_MATCH": 10**9, "SLICES": 10**4, "SLICE_MARGIN": 1e-9,
               "BITMAP": 10**9},
    "slices-as-bitmaps-then-the-rest": {"SPARSE": 10**9, "KEYS_PER_MATCH": 10**9, "SLICES": 2,
                                        "SLICE_MARGIN": 1e-9, "BITMAP": 0},
    "sort-the-matches": {"SPARSE": 10**9, "KEYS_PER_MATCH": 0},
}


@pytest.mark.parametrize("slicing", SLICINGS.values(), ids=SLICINGS.keys())
def test_a_query_matching_very_many_ranks_and_counts_the_newest(
    space: Space, member: User, monkeypatch: pytest.MonkeyPatch, slicing: dict[str, float]
) -> None:
    import waggle.search.query as query_module

    monkeypatch.setattr(query_module, "WINDOW", 4)
    for name, value in slicing.items():
        monkeypatch.setattr(query_module, name, value)
    # The oldest matches the words best (title and body); it is outside the newest four.
    posts = [do_ask_question(space, acting_user=member, title=f"Laptop refresh round {i}",
                             body="laptop laptop laptop refresh" if i == 0 else "")
             for i in range(6)]
    results = search(member, "laptop", per_page=10)
    assert (results.total, results.total_capped, results.pages) == (4, True, 1)
    assert {h.entry.post_id for h in results.hits} == {p.pk for p in posts[2:]}
    newest = search(member, "laptop", per_page=10, order="newest")
    assert [h.entry.post_id for h in newest.hits] == [p.pk for p in reversed(posts[2:])]
    # An edited post is indexed again: it counts among the newest (recently active).
    do_edit_post(posts[0], acting_user=member, body="laptop laptop laptop refresh again")
    assert search(member, "laptop").hits[0].entry.post_id == posts[0].pk
    few = search(member, "laptop round 3")
    assert (few.total, few.total_capped) == (1, False)


@pytest.mark.parametrize("slicing", SLICINGS.values(), ids=SLICINGS.keys())
def test_the_newest_window_holds_only_what_the_viewer_may_see(
    space: Space, private_space: Space, member: User, other_member: User,
    monkeypatch: pytest.MonkeyPatch, slicing: dict[str, float]
) -> None:
    import waggle.search.query as query_module

    monkeypatch.setattr(query_module, "WINDOW", 4)
    for name, value in slicing.items():
        monkeypatch.setattr(query_module, name, value)
    open_posts = [do_ask_question(space, acting_user=member, title=f"Printer jam number {i}")
                  for i in range(3)]
    # Newer than every open one: the newest four matches the member sees are all private.
    private = [do_ask_question(private_space, acting_user=member, title=f"Printer deal {i}")
               for i in range(5)]
    mine = search(member, "printer", per_page=10)
    assert (mine.total, mine.total_capped) == (4, True)
    assert {h.entry.post_id for h in mine.hits} == {p.pk for p in private[1:]}
    theirs = search(other_member, "printer", per_page=10)
    assert (theirs.total, theirs.total_capped) == (3, False)
    assert {h.entry.post_id for h in theirs.hits} == {p.pk for p in open_posts}
    newest = search(other_member, "printer", per_page=2, order="newest")
    assert (newest.total, newest.pages) == (3, 2)
    assert [h.entry.post_id for h in newest.hits] == [open_posts[2].pk, open_posts[1].pk]
    do_leave_space(private_space, acting_user=member)  # gone from the window at once
    after = search(member, "printer", per_page=10)
    assert (after.total, after.total_capped) == (3, False)
    assert {h.entry.post_id for h in after.hits} == {p.pk for p in open_posts}


def test_best_matches_give_the_fields_asked_for_and_load_the_rest(
    space: Space, member: User, other_member: User, question: Post
) -> None:
    answer = do_answer_question(question, acting_user=other_member,
                                body="Tune the postgres work_mem setting first.")
    query = parse_query("postgres")
    found = best_matches(matching(member, query), query, size=5,
                         fields=("thread_id", "author_id", "post_id"))
    by_post = {e.post_id: e for e in found}
    assert set(by_post) == {question.pk, answer.pk}
    assert by_post[answer.pk].author_id == other_member.pk
    assert by_post[answer.pk].thread_id == question.pk
    assert by_post[answer.pk].kind == "answer"  # not asked for: read when used
    assert all(e.score > 0 for e in found)


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the planner settings and estimates are PostgreSQL's")
def test_slices_leave_the_planner_settings_as_they_were_in_a_callers_transaction(
    space: Space, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    import waggle.search.query as query_module

    for name, value in SLICINGS["slices-as-bitmaps-then-the-rest"].items():
        monkeypatch.setattr(query_module, name, value)
    monkeypatch.setattr(query_module, "WINDOW", 4)
    posts = [do_ask_question(space, acting_user=member, title=f"Badge reader {i}")
             for i in range(6)]
    with transaction.atomic(), connection.cursor() as cursor:
        results = search(member, "badge", per_page=10)
        cursor.execute("SHOW enable_indexscan")
        assert cursor.fetchone()[0] == "on"
    assert {h.entry.post_id for h in results.hits} == {p.pk for p in posts[2:]}


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the planner settings and estimates are PostgreSQL's")
def test_a_phrases_ceiling_is_what_its_rarest_word_allows(space: Space, member: User) -> None:
    from waggle.search.query import _estimated_matches

    for i in range(30):
        do_ask_question(space, acting_user=member, title=f"Printer toner {i}",
                        body="toner" if i % 3 else "toner cartridge jam")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE search_searchentry")
    alone = {w: _estimated_matches(parse_query(w))
             for w in ("printer", "toner", "jam", "cartridge", "or")}
    assert all(estimate == ceiling for estimate, ceiling in alone.values())
    estimate, ceiling = _estimated_matches(parse_query("printer toner"))
    assert ceiling == estimate  # words apart: the planner's estimate is all there is
    def check_the_ceilings() -> None:
        _, phrase = _estimated_matches(parse_query('"printer toner"'))
        assert phrase == min(alone["printer"][0], alone["toner"][0])
        _, either = _estimated_matches(parse_query('toner "cartridge jam" OR printer'))
        assert either == min(alone["toner"][0],
                             min(alone["cartridge"][0], alone["jam"][0]) + alone["printer"][0])
        # A word PostgreSQL does not index ("or", in lower case, is a word) counts as what
        # the planner says of it.
        _, with_or = _estimated_matches(parse_query('"printer toner" or'))
        assert with_or == min(alone["or"][0], alone["printer"][0], alone["toner"][0])

    check_the_ceilings()
    # As PostgreSQL plans them over a big table, too: with parallel workers, which reorder the
    # parts of one plan and count per worker.
    with transaction.atomic(), connection.cursor() as cursor:
        for name in ("parallel_setup_cost", "parallel_tuple_cost", "min_parallel_table_scan_size",
                     "min_parallel_index_scan_size"):
            cursor.execute(f"SET LOCAL {name} = 0")
        check_the_ceilings()
    # The search finds what the other words find.
    assert (search(member, '"printer toner" or').total == search(member, '"printer toner"').total
            == 30)
