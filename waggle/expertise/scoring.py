"""Expertise from evidence: what each kind of help weighs, how fast it fades, and how the
evidence signals become one order of people. Framework-free: the product (`expertise/` models,
"who knows", routing, mentor matching) and `waggle expertise eval` use these same rules.

Scores are stored *grown*: a piece of evidence at time t adds `weight * 2 ** (days(t) /
HALF_LIFE_DAYS)`, days counted from a fixed EPOCH. Every stored score then shares the same decay
factor at any later moment, so ranking by the stored number is ranking by the decayed one, a new
piece of evidence is one addition (incremental updates, no rebuild) and `current()` turns a stored
score into today's value when it has to be shown or compared with a constant.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Mapping
from enum import StrEnum
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
HALF_LIFE_DAYS = 365.0


class Evidence(StrEnum):
    """A piece of evidence that a person knows about the topics of a thread."""

    ACCEPTED_ANSWER = "accepted_answer"  # their answer was accepted
    VALUE_RECEIVED = "value_received"    # someone reported their post or comment helped
    KUDOS = "kudos"                      # someone thanked them for a post or comment
    ANSWER = "answer"                    # they answered a question
    UPDATE = "update"                    # they shared a work-out-loud update
    LESSON = "lesson"                    # they shared a lesson learned
    COMMENT = "comment"                  # they commented in the thread


WEIGHTS: dict[Evidence, float] = {
    Evidence.ACCEPTED_ANSWER: 4.0,
    Evidence.VALUE_RECEIVED: 3.0,
    Evidence.KUDOS: 2.0,
    Evidence.ANSWER: 1.0,
    Evidence.UPDATE: 1.0,
    Evidence.LESSON: 1.5,
    Evidence.COMMENT: 0.25,
}

# A declared skill counts as this much current evidence (it does not fade: people update it).
DECLARED_SKILL_WEIGHT = 1.0


def days_since_epoch(at: dt.datetime) -> float:
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return (at - EPOCH).total_seconds() / 86400.0


def grown(weight: float, at: dt.datetime) -> float:
    """The stored score of evidence of `weight` given at `at` (see the module's docstring)."""
    return weight * math.pow(2.0, days_since_epoch(at) / HALF_LIFE_DAYS)


def current(grown_score: float, now: dt.datetime) -> float:
    """A stored (grown) score's value at `now`: evidence one half-life old counts half."""
    return grown_score * math.pow(2.0, -days_since_epoch(now) / HALF_LIFE_DAYS)


def evidence_score(kind: Evidence, at: dt.datetime) -> float:
    return grown(WEIGHTS[kind], at)


# --- draft (tuning) ---
RECENCY_HALF_LIFE_DAYS = 7.0
_RECENT_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def grown_activity(at: dt.datetime) -> float:
    return 1.0


def current_activity(grown_score: float, now: dt.datetime) -> float:
    return grown_score


def fuse_people(topic_scores: Mapping[K, float], text_scores: Mapping[K, float],
                recency: Mapping[K, float] | None = None) -> list[tuple[K, float]]:
    keys = list(dict.fromkeys([*topic_scores, *text_scores, *(recency or {})]))
    fused = {k: topic_scores.get(k, 0.0) for k in keys}
    return sorted(fused.items(), key=lambda item: -item[1])
