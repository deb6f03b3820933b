"""Expertise from evidence: what each kind of help weighs, how fast it fades, and how the
evidence signals become one order of people. Framework-free: the product (`expertise/` models,
"who knows", routing, mentor matching) and `waggle expertise eval` use these same rules.

Scores are stored *grown*: a piece of evidence at time t adds `weight * 2 ** (days(t) /
HALF_LIFE_DAYS)`, days counted from a fixed EPOCH. Every stored score then shares the same decay
factor at any later moment, so ranking by the stored number is ranking by the decayed one, a new
piece of evidence is one addition (incremental updates, no rebuild) and `current()` turns a stored
score into today's value when it has to be shown or compared with a constant.

The constants are measured with `waggle expertise eval` (bench/RESULTS.md, 2026-11-24): find
the accepted answerer of each question asked after the first 30% of a Stack Exchange site's
timeline, from earlier data only. Tuned on quantumcomputing (197 test questions), checked on
bicycles.meta (55). One standard error of MRR is 0.028 on the first and 0.052 on the second,
so the differences below mostly say that a choice does not matter:
- `fuse_people` is a geometric mean of each signal's share of the best candidate's. Reciprocal
  rank fusion, z-scores of log1p, and weighted sums of logs (weights 0.5 to 1 per signal) all
  landed within 0.015 MRR of it on quantumcomputing (0.39-0.41): equal weights need no constant.
  Measured there: topic evidence alone 0.346, text alone 0.370, recency alone 0.367, all three
  0.402 (bicycles.meta: 0.489, 0.312, 0.388, 0.504), against the best baseline's 0.382 (0.312).
  That is 1.05x the baseline on quantumcomputing, where one person gave a quarter of the
  accepted answers and every ranker puts them first: even a model fitted to its own test
  questions on 23 features (social ties to the asker, hour of day, acceptance rate, several
  decays) reached only 0.428.
- RECENCY_HALF_LIFE_DAYS = 14: a decayed count of help given is the strongest single signal
  of who answers next. Half-lives of 7 to 30 days gave MRR 0.402-0.406 (bicycles.meta
  0.496-0.506), 1 to 3 days less (0.398-0.400; 0.47-0.49): people help in bursts over days.
  Recency as the time since the latest help (0.39), or since the latest evidence on the topics
  decayed by HALF_LIFE_DAYS (0.386, as good as no recency at all), measured worse.
- SIGNAL_FLOOR = 0.01: from 0.003 to 0.3 MRR stays within 0.399-0.402; bicycles.meta wants it
  small (0.50-0.51 up to 0.03, 0.48 at 0.1 and 0.3).
- HALF_LIFE_DAYS = 365 is kept: quantumcomputing (six months of data) cannot tell 30 days from
  no decay (0.401-0.406), while bicycles.meta (thirteen years) peaks at a year: 0.437 at 30
  days, 0.467 at 90, 0.495 at 180, 0.504 at 365, 0.487 at 730, 0.465 without decay.
- WEIGHTS are kept: an accepted answer with its harvested value report counting 1, 3, 4, 7 or
  15 answers gave 0.401-0.405 (0.495-0.502); comments at 0 or 1 answer instead of 0.25, 0.397
  and 0.401 (0.484 and 0.495). Kudos, updates, lessons and declared skills
  (DECLARED_SKILL_WEIGHT) do not exist in Stack Exchange dumps: their values are judgement.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Hashable, Iterable, Mapping
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


# --- recency: help given in the last weeks --------------------------------------------------

#: Help a person gave this many days ago counts half in their recency (see `recent_help`).
RECENCY_HALF_LIFE_DAYS = 14.0
#: What counts as help given for recency: the person's own posts and comments (acceptances,
#: value reports and kudos are other people's acts, and come later).
RECENCY_KINDS = frozenset({Evidence.ANSWER, Evidence.COMMENT, Evidence.UPDATE, Evidence.LESSON})
#: Help older than this adds less than 1/256 of its weight: a query may leave it out.
RECENCY_WINDOW_DAYS = 8 * RECENCY_HALF_LIFE_DAYS


def decayed(value: float, since: dt.datetime, now: dt.datetime,
            half_life_days: float = RECENCY_HALF_LIFE_DAYS) -> float:
    """`value` as of `since`, seen at `now`: halved every `half_life_days`. (Recency cannot be
    stored grown like topic scores: 2 ** (days since EPOCH / 14) overflows a float in 2039.)"""
    days = (_aware(now) - _aware(since)).total_seconds() / 86400.0
    return value * math.pow(2.0, -days / half_life_days)


def recent_help(pieces: Iterable[tuple[Evidence, dt.datetime]], now: dt.datetime) -> float:
    """A person's recency at `now` (the `recency` of `fuse_people`): the sum over the help they
    gave before `now` (`pieces`: kind and time; kinds outside RECENCY_KINDS are ignored) of
    WEIGHTS[kind] * 2 ** (-days ago / RECENCY_HALF_LIFE_DAYS). An answer given today counts 1,
    one given two weeks ago 0.5, a comment a quarter of that. Kept incrementally, it is one
    number and its date per person: `decayed(value, its date, now)`, plus the new piece."""
    return sum(decayed(WEIGHTS[kind], at, now) for kind, at in pieces
               if kind in RECENCY_KINDS and _aware(at) <= _aware(now))


def _aware(at: dt.datetime) -> dt.datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)


# --- fusion: evidence, words and recency become one order of people ---------------------------

#: A person with none of one signal scores as if they had this share of the best candidate's.
#: It keeps one missing signal from ruling anyone out (a newcomer with fitting answers, an
#: expert who is quiet this month) while costing a factor of ~100 against the best.
SIGNAL_FLOOR = 0.01


def fuse_people(topic_scores: Mapping[K, float], text_scores: Mapping[K, float],
                recency: Mapping[K, float] | None = None) -> list[tuple[K, float]]:
    """People best first, with their fused score in (0, 1 + SIGNAL_FLOOR]: the geometric mean,
    over the signals given, of (the person's value / the best value among the people given +
    SIGNAL_FLOOR).

    - `topic_scores`: the person's evidence on the topics asked about, summed over those
      topics, each piece counting WEIGHTS[kind] decayed by HALF_LIFE_DAYS (`current()` of the
      stored grown scores), plus DECLARED_SKILL_WEIGHT per declared skill among them;
    - `text_scores`: how well what the person wrote before matches the words asked: the sum,
      over their answers (the evaluation indexes each with its question's title; updates and
      lessons are help too), of each one's bm25 relevance to the question (Balog's Model 2).
      Not their questions (a need, not knowledge), nor their comments: adding comments cost
      text-only MRR 0.370 -> 0.354 on quantumcomputing and 0.312 -> 0.214 on bicycles.meta.
      Any positive scale works (SQLite bm25 negated, PostgreSQL ts_rank_cd): each signal is
      divided by its best value;
    - `recency`: `recent_help` of each person at the time of asking (None: not used).

    Every person in any mapping is ranked; one missing from a mapping has 0 of that signal (a
    negative value counts as 0). An empty mapping, or one whose values are all 0, carries no
    information and is left out of the mean, so `fuse_people(topic, {})` is the topic order.
    Ties keep the order in which people first appear in topic, text, then recency.
    """
    signals = [s for s in (topic_scores, text_scores, recency or {})
               if s and max(s.values()) > 0]
    people = list(dict.fromkeys(p for s in (topic_scores, text_scores, recency or {})
                                for p in s))
    if not signals:
        return [(p, 0.0) for p in people]
    logs: dict[K, float] = dict.fromkeys(people, 0.0)
    for signal in signals:
        best = max(signal.values())
        for person in people:
            share = max(signal.get(person, 0.0), 0.0) / best
            logs[person] += math.log(share + SIGNAL_FLOOR)
    fused = [(p, math.exp(logs[p] / len(signals))) for p in people]
    return sorted(fused, key=lambda item: -item[1])
