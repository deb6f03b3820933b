"""Who knows about something: people ranked by the evidence of their help that a viewer may
see, each with the strongest pieces of that evidence (linked), and a person's topics.

Three signals, fused by `scoring.fuse_people` (the rule `waggle expertise eval` measures):
- topics: the person's `Expertise` on the topics asked about, summed over the spaces the viewer
  may see (a private space's evidence never ranks anyone for an outsider), plus declared skills;
- text: what the person wrote that matches the words asked (the search index, through the same
  gate: the sum of the scores of their matching answers, updates and lessons, Balog's document
  model; their questions show a need, not knowledge);
- recency: how much help they gave lately, on anything (`scoring.recent_help`, in the spaces
  the viewer may see, kept per person and space in `RecentHelp`): people help in bursts, and
  the strongest single sign of who answers next is who has been answering.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from waggle.core.markdown import normalize_topic
from waggle.exchange.access import visible_posts
from waggle.exchange.models import Post
from waggle.expertise import scoring
from waggle.expertise.models import Expertise, RecentHelp
from waggle.people.access import visible_people
from waggle.people.models import User
from waggle.search.query import best_matches, matching
from waggle.search.similar import FILLER, draft_query
from waggle.spaces.access import visible_spaces
from waggle.topics.access import visible_topics
from waggle.topics.models import Topic

CANDIDATES = 200     # people read per signal before fusing
TEXT_MATCHES = 200   # matching posts and comments read for the text signal
EXPAND_FROM = 10     # a text naming no topic takes the topics of its best matching threads ...
EXPANDED_TOPICS = 3  # ... this many of them
EVIDENCE_SHOWN = 3   # pieces of evidence shown per person
MAX_TOPICS = 8
TEXT_KINDS = ["answer", "update", "lesson"]  # search entry kinds read for the text signal


@dataclass
class EvidenceItem:
    """A post of the person's that shows they know: an answer (accepted or not), an update or a
    lesson, with how it helped (value reports and kudos on it)."""

    post: Post
    accepted: bool
    value_reports: int
    kudos: int

    @property
    def thread(self) -> Post:
        return self.post.question or self.post


@dataclass
class Suggestion:
    person: User
    score: float
    topics: list[Topic] = field(default_factory=list)  # asked-about topics with evidence
    declared: list[Topic] = field(default_factory=list)  # asked-about topics declared as skills
    evidence: list[EvidenceItem] = field(default_factory=list)


@dataclass
class Ask:
    """What is asked about: topic ids and words (either may be empty)."""

    topic_ids: list[int]
    text: str = ""
    matched_threads: list[int] = field(default_factory=list)


def topics_named(viewer: Any, text: str) -> list[Topic]:
    """The visible topics a text names: #tags, single words and pairs of words ("machine
    learning" is machine-learning)."""
    words = [w for w in re.findall(r"[#\w][\w+.-]*", text.lower()) if w not in FILLER]
    names = {normalize_topic(w) for w in words}
    names |= {normalize_topic(f"{a}-{b}") for a, b in zip(words, words[1:], strict=False)}
    names.discard("")
    return list(visible_topics(viewer).filter(name__in=names)[:MAX_TOPICS])


def rank_people(viewer: Any, ask: Ask, *, now: dt.datetime | None = None,
                candidates: int = CANDIDATES, among: Any = None) -> list[tuple[int, float]]:
    """(person id, fused score) best first, from the evidence `viewer` may see. `among`: a
    query of the person ids to rank, when only a few may be chosen (the members of a private
    space): ranking everyone and filtering afterwards would leave the best of them out of the
    first `candidates`. Otherwise unfiltered: the callers keep whom they may show or invite."""
    now = now or timezone.now()
    spaces = visible_spaces(viewer).values("id")
    topic_scores: dict[int, float] = {}
    if ask.topic_ids:
        evidence = Expertise.objects.filter(topic_id__in=ask.topic_ids, space_id__in=spaces)
        if among is not None:
            evidence = evidence.filter(person_id__in=among)
        rows = (evidence.values("person_id").annotate(score=Sum("score"))
                .order_by("-score")[:candidates])
        for row in rows:
            topic_scores[row["person_id"]] = scoring.current(row["score"], now)
        declared = Topic.declared_by.through.objects.filter(topic_id__in=ask.topic_ids)
        if among is not None:
            declared = declared.filter(user_id__in=among)
        for person in declared.values_list("user_id", flat=True)[:candidates]:
            topic_scores[person] = topic_scores.get(person, 0.0) + scoring.DECLARED_SKILL_WEIGHT
    text_scores: dict[int, float] = defaultdict(float)
    query = draft_query(ask.text) if ask.text else None
    if query is not None and not query.is_empty:
        # Help given, not questions asked (a need, not knowledge); comments measured worse.
        entries = matching(viewer, query).filter(
            author_id__isnull=False, kind__in=TEXT_KINDS)
        if among is not None:
            entries = entries.filter(author_id__in=among)
        for entry in best_matches(entries, query, size=TEXT_MATCHES,
                                  fields=("id", "author_id", "thread_id")):
            author = int(entry.author_id or 0)  # never 0: filtered above
            text_scores[author] += max(float(getattr(entry, "score", 0.0)), 0.0)
            if entry.thread_id not in ask.matched_threads:
                ask.matched_threads.append(entry.thread_id)
    recency = recent_help(viewer, {*topic_scores, *text_scores}, now)
    return scoring.fuse_people(topic_scores, dict(text_scores), recency)


def recent_help(viewer: Any, people: Collection[int], now: dt.datetime) -> dict[int, float]:
    """`scoring.recent_help` of each of `people` at `now`: the help they gave lately (answers,
    updates, lessons, comments), in the spaces `viewer` may see; read from `RecentHelp`, one
    number per person and space kept with their expertise."""
    if not people:
        return {}
    found: dict[int, float] = defaultdict(float)
    rows = RecentHelp.objects.filter(person_id__in=list(people),
                                     space_id__in=visible_spaces(viewer).values("id"))
    for person, value, as_of in rows.values_list("person_id", "value", "as_of"):
        found[person] += scoring.decayed(value, as_of, now)
    return dict(found)


def ask_about(viewer: Any, text: str, topics: Iterable[Topic] = ()) -> Ask:
    """What a free text asks about: the topics it names (or given), else the topics of the
    threads that match it best."""
    named = list(topics) or topics_named(viewer, text)
    ask = Ask(topic_ids=[t.pk for t in named], text=text)
    if not named and text.strip():
        query = draft_query(text)
        if not query.is_empty:
            best = best_matches(matching(viewer, query), query, size=EXPAND_FROM,
                                fields=("id", "thread_id"))
            threads = list(dict.fromkeys(e.thread_id for e in best))
            common = (Post.topics.through.objects.filter(post_id__in=threads)
                      .values("topic_id").annotate(n=Count("post_id")).order_by("-n", "topic_id"))
            ask.topic_ids = [row["topic_id"] for row in common[:EXPANDED_TOPICS]]
    return ask


def who_knows(viewer: Any, text: str, *, topics: Iterable[Topic] = (), limit: int = 10,
              exclude: Collection[int] = (), people: QuerySet[User] | None = None
              ) -> list[Suggestion]:
    """The people `viewer` may see who know most about `text` (and/or `topics`), with the
    evidence `viewer` may see. `people` narrows whom to suggest (open to mentoring, ...)."""
    ask = ask_about(viewer, text, topics)
    if not ask.topic_ids and not ask.text.strip():
        return []
    ranked = [(p, s) for p, s in rank_people(viewer, ask) if p not in set(exclude)]
    allowed = visible_people(viewer) if people is None else people.filter(
        id__in=visible_people(viewer).values("id"))
    return suggestions(viewer, ranked, ask, allowed, limit=limit)


def suggestions(viewer: Any, ranked: Sequence[tuple[int, float]], ask: Ask,
                allowed: QuerySet[User], *, limit: int) -> list[Suggestion]:
    """The first `limit` of `ranked` that are in `allowed`, with their evidence."""
    ids = [p for p, _ in ranked]
    found = allowed.filter(id__in=ids, is_active=True).select_related("department").in_bulk()
    chosen = [(found[p], s) for p, s in ranked if p in found][:limit]
    topics = Topic.objects.in_bulk(ask.topic_ids)
    declared: dict[int, list[Topic]] = defaultdict(list)
    for person, topic in Topic.declared_by.through.objects.filter(
        user_id__in=[p.pk for p, _ in chosen], topic_id__in=ask.topic_ids
    ).values_list("user_id", "topic_id"):
        declared[person].append(topics[topic])
    result = []
    for someone, score in chosen:
        items, shown_topics = evidence_of(viewer, someone, ask)
        result.append(Suggestion(person=someone, score=score, topics=shown_topics,
                                 declared=declared.get(someone.pk, []), evidence=items))
    return result


def evidence_of(viewer: Any, person: User, ask: Ask, *, shown: int = EVIDENCE_SHOWN
                ) -> tuple[list[EvidenceItem], list[Topic]]:
    """The strongest pieces of `person`'s evidence on what is asked, among the posts `viewer`
    may see (accepted answers, then what helped most, then the newest), and the asked-about
    topics they have evidence on there."""
    about = Q(question__topics__in=ask.topic_ids) | Q(topics__in=ask.topic_ids)
    if ask.matched_threads:
        about |= Q(question_id__in=ask.matched_threads) | Q(id__in=ask.matched_threads)
    posts = (visible_posts(viewer)
             .filter(about, author_id=person.pk,
                     kind__in=[Post.Kind.ANSWER, Post.Kind.UPDATE, Post.Kind.LESSON])
             .distinct().select_related("question", "space")
             .annotate(value_count=Count("value_reports", distinct=True),
                       kudos_count=Count("kudos", distinct=True))
             .order_by("-created_at")[:100])
    items = [EvidenceItem(post=p, accepted=p.question is not None
                          and p.question.accepted_answer_id == p.pk,
                          value_reports=p.value_count, kudos=p.kudos_count) for p in posts]
    items.sort(key=lambda i: (i.accepted, i.value_reports + i.kudos), reverse=True)
    spaces = visible_spaces(viewer).values("id")
    with_evidence = (Expertise.objects.filter(person_id=person.pk, topic_id__in=ask.topic_ids,
                                              space_id__in=spaces)
                     .values("topic_id").annotate(score=Sum("score")).order_by("-score"))
    topic_map = Topic.objects.in_bulk(ask.topic_ids)
    return items[:shown], [topic_map[row["topic_id"]] for row in with_evidence]


@dataclass
class KnownTopic:
    topic: Topic
    evidence: list[EvidenceItem]
    evidence_count: int


def known_topics(viewer: Any, person: User, *, limit: int = MAX_TOPICS) -> list[KnownTopic]:
    """The topics `person` knows most about, from the evidence `viewer` may see, each with its
    strongest pieces (a profile's "Knows about")."""
    spaces = visible_spaces(viewer).values("id")
    rows = list(Expertise.objects.filter(person_id=person.pk, space_id__in=spaces)
                .values("topic_id").annotate(score=Sum("score"), n=Sum("evidence_count"))
                .order_by("-score", "topic_id")[:limit])
    topics = Topic.objects.in_bulk([r["topic_id"] for r in rows])
    known = []
    for row in rows:
        items, _ = evidence_of(viewer, person, Ask(topic_ids=[row["topic_id"]]), shown=2)
        known.append(KnownTopic(topic=topics[row["topic_id"]], evidence=items,
                                evidence_count=row["n"]))
    return known
