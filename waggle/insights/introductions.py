"""Suggested introductions for the person signed in: colleagues in other departments who work on
the same topics and whom they have never interacted with. The ranking is the framework-free
`network.suggested_introductions`; this module feeds it from the database.

Rules (privacy first):
- **Only for oneself.** `suggested_introductions_for(person)` takes the person asking and no
  one else: there is no way to ask for someone else's introductions.
- **Through the gate.** A person's topics are read from what the person asking may see: the
  topics of their help (`Expertise`) in spaces the asker sees, the topics of questions they asked
  in the open (visible posts, never anonymous ones), and their declared skills (which everyone
  sees). So a topic of a private space the asker is not in never makes anyone a suggestion, and
  only people the asker may see (`visible_people`) are suggested.
- **Opted out of analytics** means out of this too: such people are never suggested and their
  topics count for nothing; a person who opted out gets no suggestions either (their own
  activity is not analysed).
- **Interacted** means any of: took part in the same thread (asked, answered, commented), a
  value report or kudos between them, either follows the other, a mentoring request between
  them. Such people are already met.
- Guests (partners) neither get nor are suggestions: introductions are between departments.

Cost: the asker's own topics (at most MAX_TOPICS), then for each topic the PEOPLE_PER_TOPIC
people with the most evidence on it (the expertise index's order), so a page stays quick in an
organization of 100,000 people where a popular topic has thousands.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import Coalesce, RowNumber

from waggle.core.models import AuditEntry
from waggle.exchange.access import visible_posts
from waggle.exchange.models import Comment, Follow, Post
from waggle.expertise.models import Expertise
from waggle.growth.models import MentoringRequest
from waggle.insights.network import suggested_introductions
from waggle.people.access import visible_people
from waggle.people.models import Department, User
from waggle.spaces.access import visible_spaces
from waggle.topics.models import Topic
from waggle.value.models import Kudos, ValueReport

MAX_TOPICS = 30  # the asker's topics considered: their skills, then their strongest evidence
PEOPLE_PER_TOPIC = 200  # candidates read per topic, most evidence first
LIMIT = 10


@dataclass(frozen=True)
class SuggestedIntroduction:
    """Someone worth meeting: in another department, on the same topics, never met."""

    person: User
    department: Department | None  # never None: only people with a department are suggested
    shared_topics: list[Topic]  # by name


def gets_introductions(person: Any) -> bool:
    """Whether suggestions are made for `person` at all (signed-in members who did not opt out
    of analytics)."""
    return (
        person is not None and person.is_authenticated and person.is_active
        and not person.is_guest and not person.opt_out_analytics
    )


def suggested_introductions_for(person: Any, *, limit: int = LIMIT) -> list[SuggestedIntroduction]:
    """Introductions for `person`, the one asking (see the module's docstring)."""
    if not gets_introductions(person):
        return []
    own = own_topics(person)
    if not own:
        return []
    met = interacted_with(person)
    candidates = _eligible(person).exclude(id__in=met)
    if person.department_id is not None:
        candidates = candidates.exclude(department_id=person.department_id)
    topics_of: dict[int, set[int]] = defaultdict(set)
    topics_of[person.pk] = set(own)
    for other, topic in _people_on(person, own, candidates):
        topics_of[other].add(topic)
    department_of = dict(
        User.objects.filter(id__in=list(topics_of)).values_list("id", "department_id")
    )
    found = suggested_introductions(
        person.pk, topics_of, department_of,
        interacted=((person.pk, other) for other in met), limit=limit,
    )
    people = User.objects.select_related("department").in_bulk([f.person for f in found])
    topics = Topic.objects.in_bulk(set().union(*(f.shared_topics for f in found)))
    return [
        SuggestedIntroduction(
            person=people[f.person],
            department=people[f.person].department,
            shared_topics=sorted((topics[t] for t in f.shared_topics), key=lambda t: t.name),
        )
        for f in found
        if f.person in people
    ]


def own_topics(person: Any) -> list[int]:
    """The topics of `person`'s declared skills, of their help in spaces they see (strongest
    first) and of the questions they asked in the open: at most MAX_TOPICS."""
    topics: list[int] = list(person.skills.values_list("id", flat=True))
    topics += (
        Expertise.objects.filter(person_id=person.pk, space__in=visible_spaces(person))
        .order_by("-score", "topic_id").values_list("topic_id", flat=True)[: MAX_TOPICS * 2]
    )
    topics += (
        Post.topics.through.objects.filter(
            post__in=visible_posts(person).filter(kind=Post.Kind.QUESTION, author_id=person.pk)
        )
        .order_by("-post__created_at").values_list("topic_id", flat=True)[: MAX_TOPICS * 2]
    )
    return list(dict.fromkeys(topics))[:MAX_TOPICS]


def _eligible(person: Any) -> QuerySet[User]:
    """People who may be suggested to `person`."""
    return (
        visible_people(person)
        .filter(is_guest=False, opt_out_analytics=False, department__isnull=False)
        .exclude(pk=person.pk)
    )


def _top_per_topic(pairs: QuerySet[Any], order: list[Any]) -> set[tuple[int, int]]:
    """The (person, topic) rows of `pairs` (values `who` and `about`): the first
    PEOPLE_PER_TOPIC of each topic in `order`."""
    ranked = pairs.annotate(
        rank=Window(RowNumber(), partition_by=[F("about")], order_by=order)
    ).filter(rank__lte=PEOPLE_PER_TOPIC)
    return {(row["who"], row["about"]) for row in ranked}


def _people_on(person: Any, topics: list[int], candidates: QuerySet[User]) -> set[tuple[int, int]]:
    """(candidate, topic) for the asker's `topics`, from what the asker may see."""
    ids = candidates.values("id")
    evidence = Expertise.objects.filter(
        topic_id__in=topics, person_id__in=ids, space__in=visible_spaces(person)
    ).values(who=F("person_id"), about=F("topic_id"))
    asked = Post.topics.through.objects.filter(
        topic_id__in=topics,
        post__in=visible_posts(person).filter(kind=Post.Kind.QUESTION, author_id__in=ids),
    ).values(who=F("post__author_id"), about=F("topic_id"))
    declared = User.skills.through.objects.filter(
        topic_id__in=topics, user_id__in=ids
    ).values(who=F("user_id"), about=F("topic_id"))
    return (
        _top_per_topic(evidence, [F("score").desc(), F("id").asc()])
        | _top_per_topic(asked, [F("post__created_at").desc(), F("id").asc()])
        | _top_per_topic(declared, [F("id").asc()])
    )


def interacted_with(person: Any) -> set[int]:
    """Everyone `person` has interacted with (see the module's docstring), whatever anyone may
    see: it only ever removes people from their own suggestions."""
    me = person.pk
    # Threads they took part in; their anonymous questions are theirs too (the audit log knows
    # who asked, as the gate does; nothing here is shown).
    anonymous = AuditEntry.objects.filter(
        actor_id=me, action="ask_question", target_type="exchange.post"
    ).values("target_id")
    thread = Coalesce("question_id", "id")
    threads = set(
        Post.objects.filter(Q(author_id=me) | Q(id__in=anonymous))
        .annotate(thread=thread).values_list("thread", flat=True)
    )
    threads |= set(
        Comment.objects.filter(author_id=me)
        .annotate(thread=Coalesce("post__question_id", "post_id"))
        .values_list("thread", flat=True)
    )
    thread_ids = list(threads)
    people: set[int] = set()
    people |= _ids(Post.objects.filter(Q(id__in=thread_ids) | Q(question_id__in=thread_ids))
                   .values_list("author_id", flat=True))
    people |= _ids(Comment.objects.filter(
        Q(post_id__in=thread_ids) | Q(post__question_id__in=thread_ids)
    ).values_list("author_id", flat=True))
    for model, one, other in (
        (ValueReport, "reporter_id", "helper_id"),
        (Kudos, "giver_id", "receiver_id"),
        (Follow, "follower_id", "person_id"),
        (MentoringRequest, "mentee_id", "mentor_id"),
    ):
        people |= _ids(model.objects.filter(**{one: me}).values_list(other, flat=True))
        people |= _ids(model.objects.filter(**{other: me}).values_list(one, flat=True))
    people.discard(me)
    return people


def _ids(values: Iterable[int | None]) -> set[int]:
    return {value for value in values if value is not None}
