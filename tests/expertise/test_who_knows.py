"""Who knows about something: ranked by evidence the viewer may see, shown with that evidence,
and nothing from a space the viewer cannot see."""

from __future__ import annotations

import pytest

from tests.conftest import make_person
from waggle.exchange.actions import do_accept_answer, do_answer_question, do_ask_question
from waggle.expertise.index import rebuild_expertise
from waggle.expertise.who_knows import known_topics, topics_named, who_knows
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.models import Space


@pytest.fixture
def experts(space: Space, host: User, member: User, other_member: User) -> dict[str, User]:
    """Otto answered two #kafka questions (one accepted); Mira answered one."""
    first = do_ask_question(space, acting_user=host, title="Why does #kafka lag grow?")
    accepted = do_answer_question(first, acting_user=other_member, body="Consumer group rebalance.")
    do_accept_answer(first, accepted, acting_user=host)
    second = do_ask_question(space, acting_user=host, title="#kafka retention settings?")
    do_answer_question(second, acting_user=other_member, body="retention.ms per topic.")
    do_answer_question(second, acting_user=member, body="Look at the broker defaults.")
    rebuild_expertise()
    return {"otto": other_member, "mira": member}


def test_the_person_with_the_most_evidence_comes_first(
    experts: dict[str, User], outsider: User
) -> None:
    found = who_knows(outsider, "kafka")
    assert [s.person.username for s in found] == ["otto", "mira"]
    otto = found[0]
    assert [t.name for t in otto.topics] == ["kafka"]
    assert otto.evidence[0].accepted  # the accepted answer is the strongest evidence
    assert {e.thread.title for e in otto.evidence} == {
        "Why does #kafka lag grow?", "#kafka retention settings?"}


def test_words_without_a_topic_find_people_through_what_they_wrote(
    experts: dict[str, User], outsider: User
) -> None:
    found = who_knows(outsider, "consumer group rebalance")
    assert found and found[0].person.username == "otto"


def test_the_asker_can_be_left_out(experts: dict[str, User], outsider: User) -> None:
    found = who_knows(outsider, "kafka", exclude=[experts["otto"].pk])
    assert [s.person.username for s in found] == ["mira"]


def test_evidence_in_a_private_space_ranks_and_shows_nothing_to_outsiders(
    private_space: Space, host: User, member: User, outsider: User
) -> None:
    secret = do_ask_question(private_space, acting_user=host, title="#tender pricing for ACME?")
    do_answer_question(secret, acting_user=member, body="Undercut by 5%.")
    rebuild_expertise()
    assert who_knows(outsider, "tender") == []
    assert who_knows(outsider, "undercut pricing") == []
    assert known_topics(outsider, member) == []
    # Members of the space see it, with the evidence.
    found = who_knows(host, "tender")
    assert [s.person.username for s in found] == ["mira"]
    assert found[0].evidence[0].post.body == "Undercut by 5%."
    assert [k.topic.name for k in known_topics(host, member)] == ["tender"]


def test_declared_skills_count_and_are_shown(experts: dict[str, User], outsider: User) -> None:
    newcomer = make_person("nina", display_name="Nina New")
    do_update_profile(newcomer, acting_user=newcomer, skills=["kafka"])
    found = {s.person.username: s for s in who_knows(outsider, "kafka")}
    assert [t.name for t in found["nina"].declared] == ["kafka"]
    assert found["nina"].evidence == []


def test_a_text_names_topics_as_words_pairs_and_tags(
    experts: dict[str, User], space: Space, host: User, outsider: User
) -> None:
    do_ask_question(space, acting_user=host, title="#machine-learning for churn?")
    named = {t.name for t in topics_named(outsider, "Who knows Machine Learning and #kafka?")}
    assert named == {"machine-learning", "kafka"}


def test_a_profile_lists_what_the_person_knows_with_evidence(
    experts: dict[str, User], outsider: User
) -> None:
    known = known_topics(outsider, experts["otto"])
    assert [k.topic.name for k in known] == ["kafka"]
    assert known[0].evidence[0].accepted
    assert known[0].evidence_count >= 3  # two answers and an acceptance
