"""Question routing: whom to invite to answer a question.

The candidates are the people who know most about the question (`who_knows.rank_people`, from
the evidence the asker may see: its topics, or its words when it has none) and who can see the
question. Never the asker, nobody who said "don't route questions to me", nobody already
invited or who already answered, nobody past their weekly cap. Load is spread: a candidate's
score is divided by 1 + LOAD_PENALTY x the invitations they got in the last seven days, so the
same few experts are not asked every time (the effect is measured in bench/bench_routing.py).
Fused scores have no fixed scale, so the penalty applies to them rescaled to 0..1 over the
candidates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from waggle.exchange.access import asker_id
from waggle.exchange.models import Post
from waggle.expertise.models import QuestionInvitation
from waggle.expertise.who_knows import Ask, rank_people
from waggle.people.models import User
from waggle.spaces.models import Membership, Space

LOAD_PENALTY = 1.0
WEEK = dt.timedelta(days=7)
TEXT_CHARS = 300  # of the question's body read for its words (with the title)


@dataclass
class Candidate:
    person: User
    score: float          # the fused expertise score
    recent_invitations: int


def ask_of(question: Post) -> Ask:
    """What routing asks about: a question's topics; its words only when it has no topic.
    Measured (`waggle expertise eval --ablation`, bench/RESULTS.md): topic evidence + recency
    without the text signal finds the accepted answerer about as well as all three (MRR 0.405
    vs 0.402 on quantumcomputing, 0.472 vs 0.504 on bicycles.meta), and the text signal is
    most of routing's time at scale (bench/bench_routing.py)."""
    topic_ids = list(question.topics.values_list("id", flat=True))
    text = "" if topic_ids else f"{question.title} {question.body[:TEXT_CHARS]}"
    return Ask(topic_ids=topic_ids, text=text)


def eligible(question: Post) -> Any:
    """The people who may be invited to answer `question`: active, can see it, accept routed
    questions. (Caps and earlier invitations are checked on the ranked few.)"""
    people = User.objects.filter(is_active=True, accept_routed_questions=True)
    if question.space.visibility == Space.Visibility.OPEN:
        return people.filter(Q(is_guest=False))
    members = Membership.objects.filter(space_id=question.space_id).values("user_id")
    if question.space.visibility == Space.Visibility.EXTERNAL:
        return people.filter(Q(is_guest=False) | Q(id__in=members))
    return people.filter(id__in=members)


def candidates(question: Post, *, limit: int, now: dt.datetime | None = None,
               spread: bool = True) -> list[Candidate]:
    """Up to `limit` people to invite to answer `question`, best first."""
    now = now or timezone.now()
    asker = asker_id(question)
    viewer = User.objects.filter(pk=asker).first() if asker is not None else None
    # In a private space only its members may be invited: rank among them.
    among = (Membership.objects.filter(space_id=question.space_id).values("user_id")
             if question.space.visibility == Space.Visibility.PRIVATE else None)
    ranked = rank_people(viewer, ask_of(question), now=now, among=among)
    if not ranked:
        return []
    excluded = set(QuestionInvitation.objects.filter(question=question)
                   .values_list("person_id", flat=True))
    excluded |= set(Post.objects.filter(question=question, author_id__isnull=False)
                    .values_list("author_id", flat=True))
    if asker is not None:
        excluded.add(asker)
    ids = [p for p, _ in ranked if p not in excluded]
    people = eligible(question).only("id", "routed_questions_per_week").in_bulk(ids)
    recent = dict(QuestionInvitation.objects.filter(person_id__in=list(people),
                                                    invited_at__gte=now - WEEK)
                  .values("person_id").annotate(n=Count("id")).values_list("person_id", "n"))
    found = []
    low = min(s for _, s in ranked)
    span = (max(s for _, s in ranked) - low) or 1.0
    for person_id, score in ranked:
        person = people.get(person_id)
        if person is None:
            continue
        load = recent.get(person_id, 0)
        if load >= person.routed_questions_per_week:
            continue
        share = (score - low) / span + 1e-9
        adjusted = share / (1.0 + LOAD_PENALTY * load) if spread else share
        found.append(Candidate(person=person, score=adjusted, recent_invitations=load))
    found.sort(key=lambda c: -c.score)
    return found[:limit]
