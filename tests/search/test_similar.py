""""Has this been asked?": the closest visible questions to a draft, answered first."""

from __future__ import annotations

from typing import Any

from waggle.exchange.actions import (
    do_answer_question,
    do_ask_question,
    do_comment,
    do_post_update,
)
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.search.similar import draft_query, similar_questions
from waggle.spaces.models import Space


def titles(user: Any, text: str, **kwargs: Any) -> list[str]:
    return [s.question.title for s in similar_questions(user, text, **kwargs)]


def test_filler_words_and_short_unfinished_words_are_left_out() -> None:
    assert draft_query("How do I").is_empty
    q = draft_query("How do I rotate the VPN certifi")
    assert q.groups == ((("rotate",), ("vpn",), ("certifi",)),) and q.prefix_last
    assert draft_query("How do I rotate the VPN ce").groups == ((("rotate",), ("vpn",)),)
    assert not draft_query("How do I rotate the VPN ce").prefix_last


def test_closest_questions_appear_while_typing(space: Space, member: User,
                                               other_member: User) -> None:
    do_ask_question(space, acting_user=member, title="How do I rotate the VPN certificate?")
    do_ask_question(space, acting_user=member, title="Where is the holiday calendar?")
    do_post_update(space, acting_user=member, body="Rotated the VPN certificate today.")
    # An unfinished word already finds it (prefix), an update is not a question.
    assert titles(other_member, "how do I rotate the vpn certif") == [
        "How do I rotate the VPN certificate?"]
    assert titles(other_member, "holiday") == ["Where is the holiday calendar?"]
    assert titles(other_member, "how do I") == []


def test_answered_questions_come_first_among_the_close_ones(space: Space, member: User,
                                                            other_member: User) -> None:
    unanswered = do_ask_question(space, acting_user=member,
                                 title="Expense report for conference travel")
    answered = do_ask_question(space, acting_user=member,
                               title="Expense report for travel abroad")
    do_answer_question(answered, acting_user=other_member, body="Use the travel form.")
    do_ask_question(space, acting_user=member, title="Printer on the third floor is broken")
    found = similar_questions(other_member, "expense report travel")
    assert [s.question.pk for s in found] == [answered.pk, unanswered.pk]
    assert found[0].answered and not found[1].answered


def test_a_loosely_related_answered_question_does_not_jump_ahead(
    space: Space, member: User, other_member: User
) -> None:
    close = do_ask_question(space, acting_user=member,
                            title="Kubernetes ingress certificate renewal fails")
    loose = do_ask_question(space, acting_user=member, title="Which laptop for renewal cycle?")
    do_answer_question(loose, acting_user=other_member, body="The standard one.")
    found = similar_questions(other_member, "kubernetes ingress certificate renewal")
    assert found[0].question.pk == close.pk


def test_only_visible_questions_are_suggested(member: User, outsider: User,
                                             private_question: Post, question: Post) -> None:
    assert titles(member, "which firm are we acquiring") == [private_question.title]
    assert titles(outsider, "which firm are we acquiring") == []
    assert titles(outsider, "tune postgres queries") == [question.title]


def test_the_question_itself_can_be_left_out(member: User, question: Post) -> None:
    assert titles(member, question.title, exclude=question.pk) == []


def test_a_draft_whose_words_are_everywhere_is_matched_among_the_newest(
    space: Space, member: User, other_member: User, monkeypatch: Any
) -> None:
    import waggle.search.query as query_module

    monkeypatch.setattr(query_module, "WINDOW", 2)
    asked = [do_ask_question(space, acting_user=member, title=f"Laptop refresh wave {i}")
             for i in range(4)]
    found = {s.question.pk for s in similar_questions(other_member, "laptop refresh")}
    assert found == {asked[2].pk, asked[3].pk}


def test_a_question_is_found_by_the_words_of_its_answers_and_comments(
    space: Space, member: User, other_member: User
) -> None:
    vpn = do_ask_question(space, acting_user=member, title="Laptop drops off the network")
    answer = do_answer_question(vpn, acting_user=other_member,
                                body="The split tunnel profile is stale; reinstall it.")
    do_comment(answer, acting_user=member, body="The Zscaler client needed a restart too.")
    update = do_post_update(space, acting_user=member, body="Office move on Friday.")
    do_comment(update, acting_user=other_member, body="Will the zscaler boxes move as well?")
    # Each thread once, as its question; a comment on an update does not make it a question.
    assert titles(other_member, "split tunnel profile") == [vpn.title]
    assert titles(other_member, "zscaler restart") == [vpn.title]
    assert titles(member, "zscaler", exclude=vpn.pk) == []


def test_answers_in_a_private_space_find_nothing_for_an_outsider(
    member: User, outsider: User, private_question: Post
) -> None:
    do_answer_question(private_question, acting_user=member, body="Acme Widgets, in March.")
    assert titles(member, "acme widgets") == [private_question.title]
    assert titles(outsider, "acme widgets") == []
