"""Expertise is kept in step with the evidence: after each write that creates or removes some,
and all at once by a rebuild, with the same result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db.models import F

from waggle.exchange.actions import (
    do_accept_answer,
    do_answer_question,
    do_ask_question,
    do_comment,
    do_edit_post,
    do_post_lesson,
)
from waggle.exchange.models import Post
from waggle.expertise.index import rebuild_expertise, update_expertise
from waggle.expertise.models import Expertise
from waggle.people.models import User
from waggle.spaces.models import Space
from waggle.value.actions import do_give_kudos, do_report_value, do_withdraw_value_report

Capture = Callable[..., Any]


def scores(person: User) -> dict[str, float]:
    """Topic name -> summed stored score of the person (all spaces)."""
    found: dict[str, float] = {}
    for topic, score in Expertise.objects.filter(person=person).values_list(
            "topic__name", "score"):
        found[topic] = found.get(topic, 0.0) + score
    return found


def snapshot() -> set[tuple[int, int, int, int, float]]:
    return {(e.person_id, e.topic_id, e.space_id, e.evidence_count, round(e.score, 6))
            for e in Expertise.objects.all()}


@pytest.fixture
def postgres_question(space: Space, member: User) -> Post:
    return do_ask_question(space, acting_user=member, title="How do we tune #postgres queries?")


def test_an_answer_is_evidence_on_the_questions_topics(
    postgres_question: Post, other_member: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_answer_question(postgres_question, acting_user=other_member, body="EXPLAIN first.")
    row = Expertise.objects.get(person=other_member)
    assert row.topic.name == "postgres"
    assert row.space_id == postgres_question.space_id
    assert row.evidence_count == 1


def test_acceptance_value_and_kudos_add_to_it_and_withdrawing_takes_away(
    postgres_question: Post, member: User, other_member: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = do_answer_question(postgres_question, acting_user=other_member, body="EXPLAIN.")
    answered = scores(other_member)["postgres"]
    with django_capture_on_commit_callbacks(execute=True):
        do_accept_answer(postgres_question, answer, acting_user=member)
    accepted = scores(other_member)["postgres"]
    assert accepted > answered
    with django_capture_on_commit_callbacks(execute=True):
        report = do_report_value(acting_user=member, post=answer, solved_problem=True)
        do_give_kudos(acting_user=member, post=answer, message="Saved my week")
    thanked = scores(other_member)["postgres"]
    assert thanked > accepted
    with django_capture_on_commit_callbacks(execute=True):
        do_withdraw_value_report(report, acting_user=member)
        do_accept_answer(postgres_question, None, acting_user=member)
    assert answered < scores(other_member)["postgres"] < thanked


def test_the_asker_gains_nothing_by_asking(
    space: Space, member: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_ask_question(space, acting_user=member, title="How do we tune #postgres queries?")
    rebuild_expertise()
    assert not Expertise.objects.filter(person=member).exists()


def test_changing_a_threads_topics_moves_everyones_evidence(
    postgres_question: Post, member: User, other_member: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_answer_question(postgres_question, acting_user=other_member, body="EXPLAIN.")
        do_comment(postgres_question, acting_user=other_member, body="Also check indexes.")
    assert set(scores(other_member)) == {"postgres"}
    with django_capture_on_commit_callbacks(execute=True):
        do_edit_post(postgres_question, acting_user=member, title="How do we tune queries?",
                         topics=["sql-tuning"])
    assert set(scores(other_member)) == {"sql-tuning"}


def test_lessons_count_and_anonymous_posts_name_nobody(
    space: Space, member: User, other_member: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_post_lesson(space, acting_user=member, title="Our #kubernetes upgrade",
                       tried="A big bang", happened="Downtime", next_time="Canary first")
        anonymous = do_ask_question(space, acting_user=other_member, anonymous=True,
                                    title="Is #kubernetes worth it for us?")
        do_answer_question(anonymous, acting_user=member, body="For three services, no.")
    assert set(scores(member)) == {"kubernetes"}
    assert not Expertise.objects.filter(person=other_member).exists()


def test_newer_evidence_weighs_more(space: Space, member: User, other_member: User,
                                    host: User) -> None:
    import datetime as dt

    from django.utils import timezone

    long_ago = timezone.now() - dt.timedelta(days=3 * 365)
    old = do_ask_question(space, acting_user=host, title="Old #python question",
                          created_at=long_ago)
    do_answer_question(old, acting_user=member, body="Old answer", created_at=long_ago)
    new = do_ask_question(space, acting_user=host, title="New #python question")
    do_answer_question(new, acting_user=other_member, body="New answer")
    update_expertise([member.pk, other_member.pk])
    assert scores(other_member)["python"] > 4 * scores(member)["python"]


def test_a_rebuild_gives_what_the_updates_gave(
    postgres_question: Post, member: User, other_member: User, host: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answer = do_answer_question(postgres_question, acting_user=other_member, body="EXPLAIN.")
        do_answer_question(postgres_question, acting_user=host, body="VACUUM.")
        do_accept_answer(postgres_question, answer, acting_user=member)
        do_report_value(acting_user=member, post=answer, saved_time=True, minutes_saved=30)
        do_comment(answer, acting_user=host, body="Good call")
    incremental = snapshot()
    assert len(incremental) == 2
    rebuild_expertise()
    assert snapshot() == incremental


def test_the_demo_organization_comes_with_its_expertise(db: Any) -> None:
    from waggle.demo.generator import do_generate_demo_organization

    do_generate_demo_organization(people=60, seed=3)
    generated = snapshot()
    assert len(generated) > 50
    accepted_authors = set(Post.objects.filter(
        question__accepted_answer=F("pk"), question__topics__isnull=False, author__isnull=False
    ).values_list("author_id", flat=True))
    assert accepted_authors
    assert accepted_authors <= {person for person, *_ in generated}
    rebuild_expertise()
    assert snapshot() == generated


def test_recent_help_is_kept_per_space_and_fades(
    postgres_question: Post, other_member: User, django_capture_on_commit_callbacks: Capture
) -> None:
    import datetime as dt

    from django.utils import timezone

    from waggle.expertise.models import RecentHelp
    from waggle.expertise.scoring import decayed

    with django_capture_on_commit_callbacks(execute=True):
        do_answer_question(postgres_question, acting_user=other_member, body="EXPLAIN.")
        do_comment(postgres_question, acting_user=other_member, body="And ANALYZE.")
    row = RecentHelp.objects.get(person=other_member)
    assert row.space_id == postgres_question.space_id
    now = timezone.now()
    assert decayed(row.value, row.as_of, now) == pytest.approx(1.25, rel=1e-3)  # answer+comment
    two_weeks = now + dt.timedelta(days=14)
    assert decayed(row.value, row.as_of, two_weeks) == pytest.approx(0.625, rel=1e-3)
    rebuild_expertise()
    again = RecentHelp.objects.get(person=other_member)
    assert decayed(again.value, again.as_of, now) == pytest.approx(1.25, rel=1e-3)
