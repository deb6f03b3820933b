"""Exchange actions: ask, answer, accept, updates, lessons, comments, edits and follows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError
from django.utils import timezone

from tests.conftest import make_person
from waggle.core.errors import Invalid, NotAllowed
from waggle.core.models import AuditEntry
from waggle.exchange.access import access_post, visible_posts
from waggle.exchange.actions import (
    do_accept_answer,
    do_answer_question,
    do_ask_question,
    do_comment,
    do_edit_post,
    do_follow,
    do_post_lesson,
    do_post_update,
    do_unfollow,
)
from waggle.exchange.models import Comment, Follow, Mention, Post
from waggle.people.models import User
from waggle.spaces.access import is_member
from waggle.spaces.models import Space
from waggle.topics.actions import ensure_topics
from waggle.topics.models import Topic


def topic_names(post: Post) -> list[str]:
    return sorted(post.topics.values_list("name", flat=True))


def audit_of(post: Post) -> list[tuple[int | None, str]]:
    return list(
        AuditEntry.objects.filter(target_type="exchange.post", target_id=post.pk)
        .order_by("id").values_list("actor_id", "action")
    )


# --- asking -------------------------------------------------------------------------------


def test_a_member_asks_a_question(space: Space, member: User) -> None:
    q = do_ask_question(
        space, acting_user=member, title="  How do   we tune #Postgres? ",
        body="Reports take **minutes**. Also #indexing", topics=["Query Plans", "postgres"],
    )
    assert q.kind == Post.Kind.QUESTION
    assert q.title == "How do we tune #Postgres?"
    assert q.author == member
    assert not q.is_anonymous
    assert "<strong>minutes</strong>" in q.body_html
    assert topic_names(q) == ["indexing", "postgres", "query-plans"]
    assert q.answer_count == 0 and q.accepted_answer is None
    assert q.created_at == q.last_activity_at
    assert audit_of(q) == [(member.pk, "ask_question")]


@pytest.mark.parametrize(
    ("title", "field"), [("", "title"), ("Why?", "title"), ("  a    b  ", "title"),
                         ("t" * 301, "title")]
)
def test_a_question_needs_a_title_of_5_to_300_characters(
    space: Space, member: User, title: str, field: str
) -> None:
    with pytest.raises(Invalid) as exc:
        do_ask_question(space, acting_user=member, title=title)
    assert exc.value.field == field
    assert not Post.objects.exists()


def test_a_title_of_exactly_300_characters_is_fine(space: Space, member: User) -> None:
    q = do_ask_question(space, acting_user=member, title="t" * 300)
    assert len(q.title) == 300


def test_a_body_over_the_limit_is_refused(space: Space, member: User) -> None:
    with pytest.raises(Invalid) as exc:
        do_ask_question(space, acting_user=member, title="A long one",
                        body="x" * (settings.WAGGLE_MAX_POST_CHARS + 1))
    assert exc.value.field == "body"


def test_at_most_ten_topics_and_nothing_is_written_when_there_are_more(
    space: Space, outsider: User
) -> None:
    # The outsider would join the open space by asking; the refusal must undo that too.
    tags = " ".join(f"#t{i}" for i in range(11))
    with pytest.raises(Invalid) as exc:
        do_ask_question(space, acting_user=outsider, title="Too many topics", body=tags)
    assert exc.value.field == "topics"
    assert not Post.objects.exists()
    assert not Topic.objects.exists()
    assert not is_member(outsider, space)
    assert not AuditEntry.objects.filter(actor=outsider).exclude(action="create_person").exists()


def test_mentions_are_recorded_for_people_who_exist(
    space: Space, member: User, other_member: User, outsider: User
) -> None:
    q = do_ask_question(
        space, acting_user=member, title="Who can review this?",
        body="@Otto and @oscar, maybe @nobody-here? Not `@hana` in code, @OSCAR again.",
    )
    mentioned = set(Mention.objects.filter(post=q).values_list("person__username", flat=True))
    assert mentioned == {"otto", "oscar"}
    assert Mention.objects.filter(post=q).count() == 2


def test_asking_in_an_open_space_makes_you_a_member(space: Space, outsider: User) -> None:
    do_ask_question(space, acting_user=outsider, title="First question here")
    assert is_member(outsider, space)


def test_an_employee_may_ask_in_an_external_space(external_space: Space, member: User) -> None:
    q = do_ask_question(external_space, acting_user=member, title="Partner export limits?")
    assert is_member(member, external_space)
    assert access_post(member, q.pk) == q


def test_nobody_posts_in_a_private_space_they_are_not_in(
    private_space: Space, outsider: User, admin_user: User
) -> None:
    for person in (outsider, admin_user):
        with pytest.raises(NotAllowed):
            do_ask_question(private_space, acting_user=person, title="Let me in please")
        with pytest.raises(NotAllowed):
            do_post_update(private_space, acting_user=person, body="Hello")
        assert not is_member(person, private_space)
    assert not Post.objects.exists()


def test_a_guest_posts_only_in_their_external_space(
    space: Space, external_space: Space, guest: User
) -> None:
    with pytest.raises(NotAllowed):
        do_ask_question(space, acting_user=guest, title="Can I ask here too?")
    q = do_ask_question(external_space, acting_user=guest, title="Can I ask here?")
    assert q.space == external_space


@pytest.mark.parametrize("anonymous", [None, AnonymousUser()])
def test_a_visitor_who_is_not_signed_in_cannot_post(
    space: Space, question: Post, anonymous: AnonymousUser | None
) -> None:
    with pytest.raises(NotAllowed):
        do_ask_question(space, acting_user=anonymous, title="Who am I even?")
    with pytest.raises(NotAllowed):
        do_answer_question(question, acting_user=anonymous, body="Hi")
    with pytest.raises(NotAllowed):
        do_comment(question, acting_user=anonymous, body="Hi")
    assert Post.objects.count() == 1


def test_an_inactive_person_cannot_post(space: Space, member: User) -> None:
    member.is_active = False
    member.save()
    with pytest.raises(NotAllowed):
        do_ask_question(space, acting_user=member, title="Still here?")


def test_an_import_keeps_its_dates_and_provenance(space: Space, member: User) -> None:
    when = timezone.now() - dt.timedelta(days=400)
    q = do_ask_question(space, acting_user=member, title="Archived question", created_at=when,
                        source="stackexchange", external_id="17", notify=False)
    assert q.created_at == when and q.last_activity_at == when
    # Importing the same item again is refused by the database, and nothing half-written stays.
    with pytest.raises(IntegrityError):
        do_ask_question(space, acting_user=make_person("newbie"), title="Archived question",
                        source="stackexchange", external_id="17")
    assert Post.objects.count() == 1
    assert not is_member(User.objects.get(username="newbie"), space)


# --- answering and accepting --------------------------------------------------------------


def test_an_answer_counts_and_moves_the_question_up(
    question: Post, other_member: User, host: User
) -> None:
    before = question.last_activity_at
    first = do_answer_question(question, acting_user=other_member, body="Use EXPLAIN.")
    second = do_answer_question(question, acting_user=host, body="Add an index.")
    question.refresh_from_db()
    assert question.answer_count == 2
    assert question.is_answered
    assert question.last_activity_at == second.created_at >= before
    assert list(question.answers.order_by("id")) == [first, second]
    assert first.kind == Post.Kind.ANSWER and first.space == question.space
    entry = AuditEntry.objects.get(action="answer_question", target_id=first.pk)
    assert entry.actor == other_member and entry.data == {"question_id": question.pk}


def test_a_mention_in_an_answer_belongs_to_the_answer(
    space: Space, member: User, host: User, other_member: User
) -> None:
    q = do_ask_question(space, acting_user=member, title="Who owns billing?", body="@otto?")
    a = do_answer_question(q, acting_user=host, body="@otto does, ask @Otto")
    assert sorted(Mention.objects.values_list("person", "post")) == [
        (other_member.pk, q.pk), (other_member.pk, a.pk)
    ]


def test_only_questions_get_answers(question: Post, answer: Post, host: User) -> None:
    update = do_post_update(question.space, acting_user=host, body="Shipping today")
    for post in (answer, update):
        with pytest.raises(Invalid):
            do_answer_question(post, acting_user=host, body="An answer to an answer?")


def test_an_answer_needs_text(question: Post, other_member: User) -> None:
    with pytest.raises(Invalid) as exc:
        do_answer_question(question, acting_user=other_member, body="   ")
    assert exc.value.field == "body"
    question.refresh_from_db()
    assert question.answer_count == 0


def test_an_outsider_cannot_answer_in_a_private_space(
    private_question: Post, outsider: User
) -> None:
    with pytest.raises(NotAllowed):
        do_answer_question(private_question, acting_user=outsider, body="I know!")
    private_question.refresh_from_db()
    assert private_question.answer_count == 0


def test_the_asker_accepts_and_takes_back_an_answer(
    question: Post, answer: Post, member: User
) -> None:
    do_accept_answer(question, answer, acting_user=member)
    question.refresh_from_db()
    assert question.accepted_answer == answer
    do_accept_answer(question, None, acting_user=member)
    question.refresh_from_db()
    assert question.accepted_answer is None
    entries = AuditEntry.objects.filter(action="accept_answer", target_id=question.pk)
    assert [e.data["answer_id"] for e in entries.order_by("id")] == [answer.pk, None]


def test_a_host_may_accept_an_answer(question: Post, answer: Post, host: User) -> None:
    do_accept_answer(question, answer, acting_user=host)
    question.refresh_from_db()
    assert question.accepted_answer == answer


def test_another_member_cannot_accept(
    question: Post, answer: Post, other_member: User, outsider: User
) -> None:
    for person in (other_member, outsider):
        with pytest.raises(NotAllowed):
            do_accept_answer(question, answer, acting_user=person)
    question.refresh_from_db()
    assert question.accepted_answer is None


def test_an_answer_to_another_question_cannot_be_accepted(
    question: Post, answer: Post, space: Space, member: User, host: User
) -> None:
    other = do_ask_question(space, acting_user=member, title="Another question")
    with pytest.raises(Invalid) as exc:
        do_accept_answer(other, answer, acting_user=member)
    assert exc.value.field == "answer"
    with pytest.raises(Invalid):
        do_accept_answer(answer, answer, acting_user=host)
    other.refresh_from_db()
    assert other.accepted_answer is None


# --- anonymous questions -------------------------------------------------------------------


@pytest.fixture
def anonymous_question(space: Space, member: User) -> Post:
    return do_ask_question(space, acting_user=member, title="Is it ok not to know #git?",
                           body="I feel silly asking", anonymous=True)


def test_an_anonymous_question_has_no_author_anywhere_people_can_look(
    anonymous_question: Post, member: User, host: User, other_member: User
) -> None:
    stored = Post.objects.get(pk=anonymous_question.pk)
    assert stored.author_id is None and stored.is_anonymous
    for viewer in (host, other_member, member):
        seen = access_post(viewer, anonymous_question.pk)
        assert seen.author is None
        assert not visible_posts(viewer).filter(author=member, pk=seen.pk).exists()
    assert not member.posts.filter(pk=anonymous_question.pk).exists()
    # Only the audit log (read by administrators) remembers who asked.
    assert audit_of(anonymous_question) == [(member.pk, "ask_question")]
    entry = AuditEntry.objects.get(target_type="exchange.post", target_id=anonymous_question.pk)
    assert entry.data == {"anonymous": True}


def test_the_anonymous_asker_accepts_and_edits(
    anonymous_question: Post, member: User, other_member: User, host: User
) -> None:
    answer = do_answer_question(anonymous_question, acting_user=other_member, body="Not silly")
    do_accept_answer(anonymous_question, answer, acting_user=member)
    anonymous_question.refresh_from_db()
    assert anonymous_question.accepted_answer == answer
    do_edit_post(anonymous_question, acting_user=member, body="Still learning #git")
    anonymous_question.refresh_from_db()
    assert anonymous_question.body == "Still learning #git"
    assert anonymous_question.author is None
    # Nobody else may edit it, not even a host; another member may not accept.
    for person in (other_member, host):
        with pytest.raises(NotAllowed):
            do_edit_post(anonymous_question, acting_user=person, body="Hijacked")
    with pytest.raises(NotAllowed):
        do_accept_answer(anonymous_question, None, acting_user=other_member)
    assert [a for _, a in audit_of(anonymous_question)] == [
        "ask_question", "accept_answer", "edit_post"
    ]
    assert {actor for actor, _ in audit_of(anonymous_question)} == {member.pk}


# --- updates and lessons ------------------------------------------------------------------


def test_a_work_out_loud_update(space: Space, member: User) -> None:
    post = do_post_update(space, acting_user=member, body="Migrated the #etl jobs today",
                          topics=["Data Ops"])
    assert post.kind == Post.Kind.UPDATE and post.title == ""
    assert topic_names(post) == ["data-ops", "etl"]
    assert audit_of(post) == [(member.pk, "post_update")]
    with pytest.raises(Invalid) as exc:
        do_post_update(space, acting_user=member, body="  ")
    assert exc.value.field == "body"


def test_a_lesson_has_three_parts(space: Space, member: User) -> None:
    lesson = do_post_lesson(
        space, acting_user=member, title="Rolling out #feature-flags", tried="A big bang",
        happened="It broke checkout", next_time="Ship behind a flag",
    )
    assert lesson.kind == Post.Kind.LESSON
    assert (lesson.tried, lesson.happened, lesson.next_time) == (
        "A big bang", "It broke checkout", "Ship behind a flag"
    )
    for heading in ("What we tried", "What happened", "What we would do next time"):
        assert f"<h3>{heading}</h3>" in lesson.body_html
    assert topic_names(lesson) == ["feature-flags"]
    assert audit_of(lesson) == [(member.pk, "post_lesson")]


@pytest.mark.parametrize("missing", ["tried", "happened", "next_time"])
def test_a_lesson_without_one_of_its_parts_is_refused(
    space: Space, member: User, missing: str
) -> None:
    parts = {"tried": "a", "happened": "b", "next_time": "c", missing: " "}
    with pytest.raises(Invalid) as exc:
        do_post_lesson(space, acting_user=member, title="Half a lesson", **parts)
    assert exc.value.field == missing
    assert not Post.objects.filter(kind=Post.Kind.LESSON).exists()


# --- comments -----------------------------------------------------------------------------


def test_comments_count_and_move_the_thread_up(
    question: Post, answer: Post, host: User, outsider: User
) -> None:
    on_question = do_comment(question, acting_user=host, body="Which version?")
    on_answer = do_comment(answer, acting_user=outsider, body="Also VACUUM")
    question.refresh_from_db()
    answer.refresh_from_db()
    assert question.comment_count == 1 and answer.comment_count == 1
    # A comment on an answer keeps the whole question thread fresh.
    assert question.last_activity_at == on_answer.created_at >= on_question.created_at
    assert is_member(outsider, question.space)
    entry = AuditEntry.objects.get(action="comment", target_id=on_answer.pk)
    assert entry.actor == outsider and entry.data == {"post_id": answer.pk}


def test_a_comment_needs_text_and_a_space_you_may_post_in(
    question: Post, private_question: Post, outsider: User, member: User
) -> None:
    with pytest.raises(Invalid):
        do_comment(question, acting_user=member, body="")
    with pytest.raises(NotAllowed):
        do_comment(private_question, acting_user=outsider, body="Peek")
    assert not Comment.objects.exists()
    private_question.refresh_from_db()
    assert private_question.comment_count == 0


def test_mentions_in_a_comment_point_at_the_comment(
    question: Post, host: User, other_member: User
) -> None:
    c = do_comment(question, acting_user=host, body="@otto knows this")
    assert list(Mention.objects.values_list("person", "post", "comment")) == [
        (other_member.pk, question.pk, c.pk)
    ]


# --- editing ------------------------------------------------------------------------------


def test_the_author_edits_and_topics_follow_the_text(question: Post, member: User) -> None:
    assert topic_names(question) == ["postgres"]
    do_edit_post(question, acting_user=member, title="How do we tune #mysql queries?",
                 body="Same question, other database", topics=[])
    question.refresh_from_db()
    assert question.title == "How do we tune #mysql queries?"
    assert question.body_html == "<p>Same question, other database</p>\n"
    assert topic_names(question) == ["mysql"]
    assert question.updated_at >= question.created_at
    assert audit_of(question)[-1] == (member.pk, "edit_post")


def test_an_edit_keeps_chosen_topics_unless_told_otherwise(space: Space, member: User) -> None:
    q = do_ask_question(space, acting_user=member, title="Dashboards", topics=["bi"])
    do_edit_post(q, acting_user=member, body="About #grafana")
    assert topic_names(q) == ["bi", "grafana"]


def test_only_the_author_edits(
    question: Post, answer: Post, host: User, other_member: User, member: User
) -> None:
    with pytest.raises(NotAllowed):
        do_edit_post(question, acting_user=host, body="Rewritten by a host")
    with pytest.raises(NotAllowed):
        do_edit_post(answer, acting_user=member, body="Rewritten by the asker")
    question.refresh_from_db()
    answer.refresh_from_db()
    assert question.body == "Our reports take minutes. Where do I start?"
    assert answer.body == "Start with EXPLAIN ANALYZE."


def test_edits_follow_the_same_rules_as_new_posts(
    question: Post, answer: Post, member: User, other_member: User
) -> None:
    with pytest.raises(Invalid):
        do_edit_post(question, acting_user=member, title="Hm")
    with pytest.raises(Invalid):
        do_edit_post(answer, acting_user=other_member, body="")
    with pytest.raises(Invalid):
        do_edit_post(question, acting_user=member, topics=[f"t{i}" for i in range(11)])
    stored = Post.objects.get(pk=question.pk)
    assert stored.title == "How do we tune #postgres queries?"
    assert topic_names(stored) == ["postgres"]
    assert [a for _, a in audit_of(question)] == ["ask_question"]


def test_editing_a_lesson_keeps_its_three_parts(space: Space, member: User) -> None:
    lesson = do_post_lesson(space, acting_user=member, title="Retro", tried="a", happened="b",
                            next_time="c")
    do_edit_post(lesson, acting_user=member, happened="It worked")
    lesson.refresh_from_db()
    assert (lesson.tried, lesson.happened, lesson.next_time) == ("a", "It worked", "c")
    assert "It worked" in lesson.body_html
    with pytest.raises(Invalid) as exc:
        do_edit_post(lesson, acting_user=member, tried="")
    assert exc.value.field == "tried"
    assert Post.objects.get(pk=lesson.pk).tried == "a"


# --- follows ------------------------------------------------------------------------------


def test_follow_a_person_a_space_and_a_topic(
    space: Space, member: User, other_member: User
) -> None:
    (topic,) = ensure_topics(["postgres"])
    for target in ({"person": other_member}, {"space": space}, {"topic": topic}):
        do_follow(acting_user=member, **target)
    follows = Follow.objects.filter(follower=member)
    assert follows.count() == 3
    assert {(f.person_id, f.space_id, f.topic_id) for f in follows} == {
        (other_member.pk, None, None), (None, space.pk, None), (None, None, topic.pk)
    }
    assert AuditEntry.objects.filter(actor=member, action="follow").count() == 3


def test_following_twice_is_one_follow(member: User, other_member: User) -> None:
    first = do_follow(acting_user=member, person=other_member)
    second = do_follow(acting_user=member, person=other_member)
    assert first.pk == second.pk
    assert Follow.objects.count() == 1
    assert AuditEntry.objects.filter(action="follow").count() == 1


def test_follow_exactly_one_target_and_never_yourself(
    space: Space, member: User, other_member: User
) -> None:
    with pytest.raises(Invalid):
        do_follow(acting_user=member)
    with pytest.raises(Invalid):
        do_follow(acting_user=member, person=other_member, space=space)
    with pytest.raises(Invalid):
        do_follow(acting_user=member, person=member)
    with pytest.raises(NotAllowed):
        do_follow(acting_user=AnonymousUser(), space=space)
    assert not Follow.objects.exists()


def test_unfollow(space: Space, member: User) -> None:
    do_follow(acting_user=member, space=space)
    do_unfollow(acting_user=member, space=space)
    assert not Follow.objects.exists()
    # Unfollowing what you do not follow is harmless and leaves no audit entry.
    do_unfollow(acting_user=member, space=space)
    assert list(
        AuditEntry.objects.filter(actor=member, action__in=["follow", "unfollow"])
        .order_by("id").values_list("action", flat=True)
    ) == ["follow", "unfollow"]
    with pytest.raises(Invalid):
        do_unfollow(acting_user=member)
