"""Keeps `Expertise` in step with the evidence: one person's rows after their help changed
(a task, on commit), or everyone's (`waggle expertise rebuild`).

Expertise is derived data, like the search index: the writes that create evidence (answers,
acceptances, value reports, kudos, updates, lessons, comments) are audited actions, and they
schedule `expertise.tasks.update_expertise` for the people concerned. Recomputing a person from
their evidence (rather than adding a delta) keeps withdrawals, edits of topics and moves right.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial

from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from waggle.exchange.models import Comment, Post
from waggle.expertise.models import Expertise, RecentHelp
from waggle.expertise.scoring import (
    RECENCY_KINDS,
    RECENCY_WINDOW_DAYS,
    WEIGHTS,
    Evidence,
    decayed,
    evidence_score,
)
from waggle.value.models import Kudos, ValueReport

CHUNK = 5000
BATCH = 2000  # rows per INSERT


@dataclass
class Piece:
    """One piece of evidence: `person` gave help of `kind` in `thread` (of `space`) at `at`."""

    person: int
    kind: Evidence
    thread: int
    space: int
    at: dt.datetime


@dataclass
class Tally:
    score: float = 0.0
    count: int = 0
    last: dt.datetime | None = None

    def add(self, piece: Piece) -> None:
        self.score += evidence_score(piece.kind, piece.at)
        self.count += 1
        if self.last is None or piece.at > self.last:
            self.last = piece.at


def _only(queryset: QuerySet, field: str, people: Collection[int] | None) -> QuerySet:
    if people is None:
        return queryset.filter(**{f"{field}__isnull": False})
    return queryset.filter(**{f"{field}__in": list(people)})


def evidence(people: Collection[int] | None = None) -> Iterator[Piece]:
    """Every piece of evidence of `people` (everyone when None), in no particular order."""
    posts = _only(Post.objects.filter(
        kind__in=[Post.Kind.ANSWER, Post.Kind.UPDATE, Post.Kind.LESSON]), "author_id", people)
    for author, kind, pk, question, space, at, accepted in posts.values_list(
        "author_id", "kind", "id", "question_id", "space_id", "created_at",
        "question__accepted_answer_id",
    ).iterator(chunk_size=CHUNK):
        if kind == Post.Kind.ANSWER:
            yield Piece(author, Evidence.ANSWER, question, space, at)
            if accepted == pk:
                # Acceptance is not dated; the answer's own date stands for it.
                yield Piece(author, Evidence.ACCEPTED_ANSWER, question, space, at)
        else:
            kind_of = Evidence.UPDATE if kind == Post.Kind.UPDATE else Evidence.LESSON
            yield Piece(author, kind_of, pk, space, at)
    comments = _only(Comment.objects.all(), "author_id", people)
    for author, post, question, space, at in comments.values_list(
        "author_id", "post_id", "post__question_id", "post__space_id", "created_at"
    ).iterator(chunk_size=CHUNK):
        yield Piece(author, Evidence.COMMENT, question or post, space, at)
    received: Iterable[tuple[Evidence, QuerySet, str]] = (
        (Evidence.VALUE_RECEIVED, ValueReport.objects.exclude(reporter_id=F("helper_id")),
         "helper_id"),
        (Evidence.KUDOS, Kudos.objects.all(), "receiver_id"),
    )
    for kind, queryset, field in received:
        for person, post, question, space, c_post, c_question, c_space, at in _only(
            queryset, field, people
        ).values_list(
            field, "post_id", "post__question_id", "post__space_id", "comment__post_id",
            "comment__post__question_id", "comment__post__space_id", "created_at",
        ).iterator(chunk_size=CHUNK):
            if post is not None:
                yield Piece(person, kind, question or post, space, at)
            else:
                yield Piece(person, kind, c_question or c_post, c_space, at)


def tally(pieces: Iterable[Piece], topics: Mapping[int, list[int]], now: dt.datetime
          ) -> tuple[dict[tuple[int, int, int], Tally], dict[tuple[int, int], float]]:
    """In one pass (a rebuild streams millions of pieces): the pieces summed per (person, topic,
    space) over the topics of their threads, and each (person, space)'s recent help at `now`
    (`scoring.recent_help`, on any topic)."""
    since = now - dt.timedelta(days=RECENCY_WINDOW_DAYS)
    tallies: dict[tuple[int, int, int], Tally] = defaultdict(Tally)
    recent: dict[tuple[int, int], float] = defaultdict(float)
    for piece in pieces:
        for topic in topics.get(piece.thread, ()):
            tallies[(piece.person, topic, piece.space)].add(piece)
        if piece.kind in RECENCY_KINDS and since <= piece.at <= now:
            recent[(piece.person, piece.space)] += decayed(WEIGHTS[piece.kind], piece.at, now)
    return tallies, recent


def topics_of(threads: Collection[int] | None) -> dict[int, list[int]]:
    """The topic ids of each thread (all threads when None)."""
    through = Post.topics.through.objects.all()
    found: dict[int, list[int]] = defaultdict(list)
    if threads is None:
        rows: Iterable[tuple[int, int]] = through.values_list("post_id", "topic_id").iterator(
            chunk_size=CHUNK * 4)
    else:
        ids = list(threads)
        rows = (row for start in range(0, len(ids), CHUNK) for row in through.filter(
            post_id__in=ids[start:start + CHUNK]).values_list("post_id", "topic_id"))
    for post, topic in rows:
        found[post].append(topic)
    return found


def _write_recent(found: dict[tuple[int, int], float], now: dt.datetime) -> None:
    RecentHelp.objects.bulk_create(
        [RecentHelp(person_id=person, space_id=space, value=value, as_of=now)
         for (person, space), value in found.items()], batch_size=BATCH)


def _rows(tallies: dict[tuple[int, int, int], Tally]) -> Iterator[Expertise]:
    for (person, topic, space), t in tallies.items():
        assert t.last is not None
        yield Expertise(person_id=person, topic_id=topic, space_id=space, score=t.score,
                        evidence_count=t.count, last_evidence_at=t.last)


def _insert(rows: Iterable[Expertise]) -> int:
    batch: list[Expertise] = []
    written = 0
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            Expertise.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    Expertise.objects.bulk_create(batch)
    return written + len(batch)


def update_expertise(people: Collection[int]) -> int:
    """Recompute the expertise of these people from their evidence; returns the rows written."""
    people = sorted(set(people))
    if not people:
        return 0
    now = timezone.now()
    pieces = list(evidence(people))
    tallies, recent = tally(pieces, topics_of({p.thread for p in pieces}), now)
    with transaction.atomic():
        Expertise.objects.filter(person_id__in=people).delete()
        RecentHelp.objects.filter(person_id__in=people).delete()
        _write_recent(recent, now)
        return _insert(_rows(tallies))


def rebuild_expertise() -> int:
    """Recompute everyone's expertise (after a bulk import, or a change of the weights)."""
    now = timezone.now()
    tallies, recent = tally(evidence(None), topics_of(None), now)
    with transaction.atomic():
        _empty(Expertise)
        _empty(RecentHelp)
        _write_recent(recent, now)
        return _insert(_rows(tallies))


def _empty(model: type[Expertise] | type[RecentHelp]) -> None:
    """Delete every row. On PostgreSQL TRUNCATE, which also gives the indexes back their
    space (a DELETE + INSERT rebuild doubled them each time: bench/RESULTS.md)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # TRUNCATE refuses while deferred foreign-key checks of this transaction are
            # pending (rows written earlier in it: the demo generator, tests): run them now,
            # then defer them again as Django declares them (INITIALLY DEFERRED).
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'TRUNCATE "{model._meta.db_table}"')
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    else:
        model.objects.all().delete()


def thread_people(thread: int) -> set[int]:
    """Everyone with evidence in a thread (whose expertise its topics feed)."""
    posts = Post.objects.filter(Q(pk=thread) | Q(question_id=thread))
    people = set(posts.values_list("author_id", flat=True))
    people |= set(Comment.objects.filter(post__in=posts).values_list("author_id", flat=True))
    items = Q(post__in=posts) | Q(comment__post__in=posts)
    people |= set(ValueReport.objects.filter(items).values_list("helper_id", flat=True))
    people |= set(Kudos.objects.filter(items).values_list("receiver_id", flat=True))
    people.discard(None)  # type: ignore[arg-type]  # anonymous authors
    return people


def schedule_update(people: Iterable[int | None]) -> None:
    """Recompute these people's expertise once the surrounding transaction commits."""
    ids = sorted({p for p in people if p is not None})
    if ids:
        from waggle.expertise.tasks import update_expertise_task

        transaction.on_commit(partial(update_expertise_task.enqueue, ids))
