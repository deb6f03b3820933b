"""The rules of expertise: evidence fades by its half-life, recency counts help given in the
last weeks, and fuse_people turns the three signals into one order of people."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from waggle.expertise import scoring
from waggle.expertise.scoring import Evidence

NOW = dt.datetime(2026, 11, 24, 12, tzinfo=dt.UTC)


def days_ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


# --- grown scores and their decay -------------------------------------------------------------

def test_evidence_one_half_life_old_counts_half() -> None:
    fresh = scoring.current(scoring.grown(4.0, NOW), NOW)
    old = scoring.current(scoring.grown(4.0, days_ago(scoring.HALF_LIFE_DAYS)), NOW)
    older = scoring.current(scoring.grown(4.0, days_ago(2 * scoring.HALF_LIFE_DAYS)), NOW)
    assert fresh == pytest.approx(4.0)
    assert old == pytest.approx(2.0)
    assert older == pytest.approx(1.0)


def test_stored_scores_keep_their_order_as_time_passes() -> None:
    # Alice: one accepted answer a year ago; Bob: two answers last month.
    alice = scoring.evidence_score(Evidence.ACCEPTED_ANSWER, days_ago(365))
    bob = (scoring.evidence_score(Evidence.ANSWER, days_ago(30))
           + scoring.evidence_score(Evidence.ANSWER, days_ago(31)))
    later = [NOW, NOW + dt.timedelta(days=100), NOW + dt.timedelta(days=3000)]
    orders = [scoring.current(alice, t) > scoring.current(bob, t) for t in later]
    assert orders == [alice > bob] * 3
    # ... and a decayed score is the stored one times the same factor for everyone.
    factor = scoring.current(1.0, later[1])
    assert scoring.current(alice, later[1]) == pytest.approx(alice * factor)


def test_naive_times_are_read_as_utc() -> None:
    naive = NOW.replace(tzinfo=None)
    assert scoring.grown(1.0, naive) == scoring.grown(1.0, NOW)


# --- recency ----------------------------------------------------------------------------------

def test_recent_help_counts_answers_of_two_weeks_ago_half() -> None:
    half = scoring.RECENCY_HALF_LIFE_DAYS
    assert scoring.recent_help([(Evidence.ANSWER, NOW)], NOW) == pytest.approx(1.0)
    assert scoring.recent_help([(Evidence.ANSWER, days_ago(half))], NOW) == pytest.approx(0.5)
    assert scoring.recent_help([(Evidence.COMMENT, NOW)], NOW) == pytest.approx(0.25)
    # Other people's acts (an acceptance, a value report) and help after `now` do not count.
    assert scoring.recent_help([(Evidence.ACCEPTED_ANSWER, NOW),
                                (Evidence.VALUE_RECEIVED, NOW),
                                (Evidence.ANSWER, NOW + dt.timedelta(hours=1))], NOW) == 0.0


def test_recency_kept_incrementally_is_the_same_number() -> None:
    pieces = [(Evidence.ANSWER, days_ago(40)), (Evidence.COMMENT, days_ago(9)),
              (Evidence.ANSWER, days_ago(2)), (Evidence.LESSON, days_ago(1))]
    value, since = 0.0, pieces[0][1]
    for kind, at in pieces:
        value, since = scoring.decayed(value, since, at) + scoring.WEIGHTS[kind], at
    assert scoring.decayed(value, since, NOW) == pytest.approx(scoring.recent_help(pieces, NOW))


# --- fusion -----------------------------------------------------------------------------------

def test_someone_good_on_every_signal_beats_someone_best_on_one() -> None:
    topic = {"ana": 8.0, "ben": 10.0, "cy": 1.0}
    text = {"ana": 30.0, "ben": 2.0, "cy": 31.0}
    recency = {"ana": 2.0, "ben": 0.1, "cy": 0.5}
    assert [p for p, _ in scoring.fuse_people(topic, text, recency)] == ["ana", "cy", "ben"]


def test_recency_breaks_a_tie_of_knowledge() -> None:
    topic = {"ana": 5.0, "ben": 5.0}
    text = {"ana": 12.0, "ben": 12.0}
    assert scoring.fuse_people(topic, text, {"ben": 1.0, "ana": 0.2})[0][0] == "ben"
    assert scoring.fuse_people(topic, text, {"ben": 0.2, "ana": 1.0})[0][0] == "ana"


def test_one_signal_alone_keeps_its_order() -> None:
    topic = {"ana": 1.0, "ben": 3.0, "cy": 2.0}
    assert [p for p, _ in scoring.fuse_people(topic, {})] == ["ben", "cy", "ana"]
    assert [p for p, _ in scoring.fuse_people({}, topic, None)] == ["ben", "cy", "ana"]
    assert [p for p, _ in scoring.fuse_people({}, {}, topic)] == ["ben", "cy", "ana"]
    # A signal that is all zero says nothing: the others decide.
    assert [p for p, _ in scoring.fuse_people(topic, {"ana": 0.0})] == ["ben", "cy", "ana"]


def test_the_scale_of_a_signal_does_not_matter() -> None:
    topic = {"ana": 3.0, "ben": 1.0, "cy": 2.0}
    text = {"ana": 1.0, "ben": 9.0, "cy": 4.0}
    fused = scoring.fuse_people(topic, text)
    rescaled = scoring.fuse_people(topic, {k: v * 1000 for k, v in text.items()})
    assert [p for p, _ in fused] == [p for p, _ in rescaled]
    assert [s for _, s in fused] == pytest.approx([s for _, s in rescaled])


def test_a_missing_signal_counts_as_none_of_it_but_rules_nobody_out() -> None:
    # Dee has no topic evidence (a newcomer) but the best words and recent help.
    fused = dict(scoring.fuse_people({"ana": 4.0}, {"ana": 1.0, "dee": 5.0},
                                     {"ana": 0.5, "dee": 1.0}))
    assert set(fused) == {"ana", "dee"}
    floor = scoring.SIGNAL_FLOOR
    assert fused["dee"] == pytest.approx((floor * (1 + floor) ** 2) ** (1 / 3))
    assert fused["ana"] == pytest.approx(((1 + floor) * (0.2 + floor) * (0.5 + floor)) ** (1 / 3))
    # A negative value (a score of another engine) counts as none.
    assert dict(scoring.fuse_people({"ana": 1.0, "ben": -3.0}, {}))["ben"] == pytest.approx(floor)


def test_fused_scores_are_a_geometric_mean_of_shares_of_the_best() -> None:
    fused = scoring.fuse_people({"ana": 2.0, "ben": 1.0}, {"ana": 4.0, "ben": 4.0})
    best = 1 + scoring.SIGNAL_FLOOR
    assert fused[0] == ("ana", pytest.approx(best))
    assert fused[1] == ("ben", pytest.approx(math.sqrt((0.5 + scoring.SIGNAL_FLOOR) * best)))


def test_ties_keep_the_order_people_were_given_in() -> None:
    assert [p for p, _ in scoring.fuse_people({"cy": 1.0, "ana": 1.0}, {"ben": 0.0})] == [
        "cy", "ana", "ben"]
    assert scoring.fuse_people({}, {}, None) == []
