"""Expert finding quality on a Stack Exchange dump: the reader, the replay of the site in time
order, the metrics, and the rankers that are scored (Waggle's and three baselines).
Framework-free (no Django), so `waggle expertise eval` and the tests share it.

The test questions are the questions with an accepted answer asked after the first
TRAIN_SHARE of the site's timeline (by time span, from the first post's creation to the last
one's). For each, every person with earlier activity except the asker is a candidate, ranked
with only what had happened before the question was asked; the accepted answerer is what each
ranker should find ("any answerer": every person who answered it). The site is replayed once,
in time order: each piece of evidence is added to incremental state as its time passes.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from waggle.expertise import scoring
from waggle.expertise.scoring import Evidence
from waggle.search.evaluation import (
    FTS5_TOKENIZE,
    EvaluationError,
    _rows,
    html_text,
    ranked_keys,
    recall,
    reciprocal_rank,
)
from waggle.search.language import any_of, fts5_expression, parse_query

#: The share of the timeline whose questions are not tested: it only builds up evidence.
TRAIN_SHARE = 0.3
QUESTION_TYPE, ANSWER_TYPE = "1", "2"
ACCEPTED_VOTE = "1"  # Votes.xml VoteTypeId: AcceptedByOriginator, dated to the day
COMMUNITY_USER = "-1"  # the site's own bot account: it owns wikis, not help
ASKED = "asked"  # activity that is not evidence of knowing: asking a question
#: What each row of the report measures, for the accepted answerer and for any answerer.
ACCEPTED_METRICS = ("mrr", "p_at_1", "recall_at_5", "recall_at_10")
ANY_METRICS = ("mrr", "recall_at_10")
METRIC_NAMES = {"mrr": "MRR", "p_at_1": "P@1", "recall_at_5": "R@5", "recall_at_10": "R@10"}
_BRACKET_TAGS = re.compile(r"<([^<>]+)>")
_WORD = re.compile(r"\w+")

__all__ = ["EvaluationError", "read_site", "evaluate"]


# --- the data set -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Activity:
    """Something a person did, at the moment it could first be known. `kind` is ASKED or the
    Evidence it is; `topics` are its thread's tags; `text` is the document it adds to the
    person's posts (the text ranker), empty when none."""

    at: dt.datetime
    person: str
    kind: str
    topics: tuple[str, ...]
    thread: str
    text: str = ""


@dataclass(frozen=True, slots=True)
class TestQuestion:
    """A question whose accepted answerer is to be found, and everyone who answered it (the
    asker left out of both)."""

    key: str
    at: dt.datetime
    asker: str
    topics: tuple[str, ...]
    text: str
    accepted_answerer: str
    answerers: frozenset[str]


@dataclass
class Site:
    """A dump as the evaluation sees it: every activity in time order, and the test questions
    (also in time order)."""

    name: str
    source: Path
    activities: list[Activity]
    tests: list[TestQuestion]
    split_at: dt.datetime
    facts: dict[str, int] = field(default_factory=dict)


def _date(value: str, path: Path, row: Mapping[str, str], attribute: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    except ValueError:
        raise EvaluationError(f"{path}: the row with Id={row.get('Id', '?')}: {attribute} "
                              f"{value!r} is not a date") from None


def _tags(value: str) -> tuple[str, ...]:
    """Tags in the old "<a><b>" form or the newer "|a|b|" form."""
    value = value.strip()
    if value.startswith("<"):
        return tuple(_BRACKET_TAGS.findall(value))
    return tuple(t for t in value.split("|") if t)


def _person(value: str | None) -> str | None:
    return value if value and value != COMMUNITY_USER else None


@dataclass(slots=True)
class _Question:
    at: dt.datetime
    asker: str | None
    topics: tuple[str, ...]
    title: str
    body: str
    accepted: str


@dataclass(slots=True)
class _Answer:
    at: dt.datetime
    author: str | None
    question: str
    body: str


def read_site(directory: Path) -> Site:
    """A Stack Exchange dump (Posts.xml; Comments.xml and Votes.xml when present)."""
    directory = Path(directory)
    if not directory.is_dir():
        raise EvaluationError(f"{directory}: no such directory")
    posts = directory / "Posts.xml"
    if not posts.is_file():
        raise EvaluationError(f"{posts}: no such file (a Stack Exchange dump has Posts.xml)")
    questions: dict[str, _Question] = {}
    answers: dict[str, _Answer] = {}
    for row in _rows(posts, "posts"):
        kind, key = row.get("PostTypeId"), row.get("Id", "")
        if kind == QUESTION_TYPE:
            questions[key] = _Question(
                _date(row.get("CreationDate", ""), posts, row, "CreationDate"),
                _person(row.get("OwnerUserId")), _tags(row.get("Tags", "")),
                " ".join(row.get("Title", "").split()), html_text(row.get("Body", "")),
                row.get("AcceptedAnswerId", ""))
        elif kind == ANSWER_TYPE and row.get("ParentId"):
            answers[key] = _Answer(
                _date(row.get("CreationDate", ""), posts, row, "CreationDate"),
                _person(row.get("OwnerUserId")), row.get("ParentId", ""),
                html_text(row.get("Body", "")))
    if not questions:
        raise EvaluationError(f"{posts}: no questions (PostTypeId=1)")
    accepted_on: dict[str, dt.datetime] = {}
    votes = directory / "Votes.xml"
    if votes.is_file():
        for row in _rows(votes, "votes"):
            if row.get("VoteTypeId") == ACCEPTED_VOTE and row.get("CreationDate"):
                # Dated to the day: the acceptance is known once that day is over.
                day = _date(row.get("CreationDate", ""), votes, row, "CreationDate")
                accepted_on[row.get("PostId", "")] = day + dt.timedelta(days=1)

    activities: list[Activity] = []
    for key, q in questions.items():
        if q.asker:
            activities.append(Activity(q.at, q.asker, ASKED, q.topics, key, f"{q.title} {q.body}"))
    answerers: dict[str, set[str]] = defaultdict(set)
    facts: Counter[str] = Counter()
    thread_of: dict[str, str] = {}
    for key, a in answers.items():
        q_ = questions.get(a.question)
        if q_ is None:
            continue
        thread_of[key] = a.question
        if not a.author:
            continue
        answerers[a.question].add(a.author)
        activities.append(Activity(a.at, a.author, Evidence.ANSWER, q_.topics, a.question,
                                   f"{q_.title} {a.body}"))
    for key, q in questions.items():
        a_ = answers.get(q.accepted)
        if a_ is None or not a_.author or a_.author == q.asker or a_.question != key:
            continue
        # The acceptance date where the dump has it, else the answer's own (the importer's
        # choice for the harvested value report); never before the answer.
        at = max(accepted_on.get(q.accepted, a_.at), a_.at)
        facts["acceptances dated by votes"] += q.accepted in accepted_on
        activities.append(Activity(at, a_.author, Evidence.ACCEPTED_ANSWER, q.topics, key))
        activities.append(Activity(at, a_.author, Evidence.VALUE_RECEIVED, q.topics, key))
    comments = directory / "Comments.xml"
    if comments.is_file():
        for row in _rows(comments, "comments"):
            author, post = _person(row.get("UserId")), row.get("PostId", "")
            thread = post if post in questions else thread_of.get(post)
            if author and thread:
                activities.append(Activity(
                    _date(row.get("CreationDate", ""), comments, row, "CreationDate"), author,
                    Evidence.COMMENT, questions[thread].topics, thread, " ".join(row.get("Text", "")
                                                                         .split())))
    activities.sort(key=lambda a: a.at)

    times = [q.at for q in questions.values()] + [a.at for a in answers.values()]
    start, end = min(times), max(times)
    split_at = start + (end - start) * TRAIN_SHARE
    tests = []
    for key, q in sorted(questions.items(), key=lambda item: item[1].at):
        a_ = answers.get(q.accepted)
        if q.at < split_at or a_ is None or a_.question != key:
            continue
        if not a_.author or not q.asker or a_.author == q.asker:
            facts["skipped: accepted answer by the asker or an unknown person"] += 1
            continue
        tests.append(TestQuestion(key, q.at, q.asker, q.topics, f"{q.title} {q.body}",
                                  a_.author, frozenset(answerers[key] - {q.asker})))
    return Site(name=directory.name, source=directory, activities=activities, tests=tests,
                split_at=split_at,
                facts={"questions": len(questions), "answers": len(answers), **facts})


# --- the replay -------------------------------------------------------------------------------

class PostIndex:
    """People's earlier posts in an in-memory SQLite FTS5 table with the product's tokenizer,
    added as time passes: bm25 over only what existed at query time (document frequencies
    included). The product's own search engine is this; bm25s (a static index) would have to
    be rebuilt before each test question, or would count later posts in its statistics."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(f"CREATE VIRTUAL TABLE posts USING fts5(body, "
                        f"tokenize='{FTS5_TOKENIZE}')")
        self.owners: list[str] = []

    def add(self, person: str, text: str) -> None:
        self.db.execute("INSERT INTO posts(rowid, body) VALUES (?, ?)", (len(self.owners), text))
        self.owners.append(person)

    def people(self, text: str, top_docs: int | None = None) -> dict[str, float]:
        """Balog's Model 2: each person's summed bm25 of their posts that match any word of
        `text` (the best `top_docs` per person only, when given)."""
        words = dict.fromkeys(w.casefold() for w in _WORD.findall(text))
        query = any_of(parse_query(" ".join(words)))
        if query.is_empty or not self.owners:
            return {}
        found: dict[str, list[float]] = defaultdict(list)
        for rowid, value in self.db.execute(
                "SELECT rowid, -bm25(posts) FROM posts WHERE posts MATCH ?",
                (fts5_expression(query),)):
            found[self.owners[rowid]].append(value)
        if top_docs is None:
            return {p: sum(v) for p, v in found.items()}
        return {p: sum(sorted(v, reverse=True)[:top_docs]) for p, v in found.items()}


@dataclass
class Signals:
    """What is known about the candidates when a test question is asked."""

    candidates: set[str]
    answers: dict[str, int]          # answers given so far, on any topic
    topic_answers: dict[str, int]    # answers on the question's topics (summed over its tags)
    topic_evidence: dict[str, float]  # summed current() evidence on the question's topics
    text: dict[str, float]           # Model 2 bm25 of their earlier posts
    recency: dict[str, float]        # see scoring.recent_activity


def replay(site: Site, docs: Sequence[str] = (ASKED, Evidence.ANSWER),
           recency_kinds: Sequence[str] | None = None,
           top_docs: int | None = None) -> Iterator[tuple[TestQuestion, Signals]]:
    """Each test question, in time order, with the signals computed from strictly earlier
    activity only."""
    index = PostIndex()
    active: set[str] = set()
    answers: Counter[str] = Counter()
    topic_answers: dict[str, Counter[str]] = defaultdict(Counter)
    topic_grown: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    recent_grown: dict[str, float] = defaultdict(float)
    activities = iter(site.activities)
    pending = next(activities, None)
    for test in site.tests:
        while pending is not None and pending.at < test.at:
            a = pending
            active.add(a.person)
            if recency_kinds is None or a.kind in recency_kinds:
                recent_grown[a.person] += scoring.grown_activity(a.at)
            if a.kind != ASKED:
                for topic in a.topics:
                    topic_grown[topic][a.person] += scoring.evidence_score(Evidence(a.kind),
                                                                           a.at)
            if a.kind == Evidence.ANSWER:
                answers[a.person] += 1
                for topic in a.topics:
                    topic_answers[topic][a.person] += 1
            if a.text and a.kind in docs:
                index.add(a.person, a.text)
            pending = next(activities, None)
        candidates = active - {test.asker}
        topic_evidence: dict[str, float] = defaultdict(float)
        by_topic: Counter[str] = Counter()
        for topic in dict.fromkeys(test.topics):
            for person, value in topic_grown[topic].items():
                if person in candidates:
                    topic_evidence[person] += scoring.current(value, test.at)
            by_topic.update({p: n for p, n in topic_answers[topic].items() if p in candidates})
        text = {p: v for p, v in index.people(test.text, top_docs).items() if p in candidates}
        yield test, Signals(
            candidates=candidates,
            answers={p: answers[p] for p in candidates if answers[p]},
            topic_answers=dict(by_topic),
            topic_evidence=dict(topic_evidence),
            text=text,
            recency={p: scoring.current_activity(recent_grown[p], test.at)
                     for p in candidates if recent_grown[p]},
        )


# --- metrics ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scores:
    """Each metric's mean over the test questions, for the accepted answerer (`mrr`, `p_at_1`,
    `recall_at_5`, `recall_at_10`) and for any answerer (`any_mrr`, `any_recall_at_10`)."""

    questions: int
    mrr: float
    p_at_1: float
    recall_at_5: float
    recall_at_10: float
    any_mrr: float
    any_recall_at_10: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted_answerer": {m: round(getattr(self, m), 4) for m in ACCEPTED_METRICS},
            "any_answerer": {m: round(getattr(self, f"any_{m}"), 4) for m in ANY_METRICS},
        }


class Tally:
    """The running sums of the metrics over the test questions."""

    def __init__(self) -> None:
        self.n = 0
        self.sums: Counter[str] = Counter()

    def add(self, ranked: Sequence[str], test: TestQuestion) -> None:
        accepted = {test.accepted_answerer}
        self.n += 1
        self.sums["mrr"] += reciprocal_rank(ranked, accepted)
        self.sums["p_at_1"] += reciprocal_rank(ranked, accepted, 1)
        self.sums["recall_at_5"] += recall(ranked, accepted, 5)
        self.sums["recall_at_10"] += recall(ranked, accepted, 10)
        self.sums["any_mrr"] += reciprocal_rank(ranked, test.answerers)
        self.sums["any_recall_at_10"] += recall(ranked, test.answerers, 10)

    def scores(self) -> Scores:
        return Scores(self.n, **{k: self.sums[k] / self.n if self.n else 0.0 for k in (
            "mrr", "p_at_1", "recall_at_5", "recall_at_10", "any_mrr", "any_recall_at_10")})


def ranking(scores: Mapping[str, float], candidates: set[str]) -> list[str]:
    """Every candidate, best first: the scored ones by score, then the rest, in the neutral tie
    order of `ranked_keys` (a person nobody scored is no better than one who scored lowest)."""
    scored = [p for p in ranked_keys(scores) if p in candidates]
    return scored + ranked_keys(dict.fromkeys(candidates - scores.keys(), 0.0))


# --- rankers ----------------------------------------------------------------------------------

Ranker = Callable[[Signals], Mapping[str, float]]


def waggle_ranker(s: Signals) -> dict[str, float]:
    return dict(scoring.fuse_people(s.topic_evidence, s.text, s.recency))


RANKERS: dict[str, Ranker] = {
    "Waggle": waggle_ranker,
    "most active answerer": lambda s: s.answers,
    "topic answerers": lambda s: s.topic_answers,
    "BM25 Model 2 (documents)": lambda s: s.text,
}
#: What each signal of Waggle's adds: fuse_people with one signal, or two.
ABLATION: dict[str, Ranker] = {
    "topic evidence only": lambda s: dict(scoring.fuse_people(s.topic_evidence, {}, None)),
    "text only": lambda s: dict(scoring.fuse_people({}, s.text, None)),
    "recency only": lambda s: dict(scoring.fuse_people({}, {}, s.recency)),
    "topic + text": lambda s: dict(scoring.fuse_people(s.topic_evidence, s.text, None)),
}


# --- the report -------------------------------------------------------------------------------

@dataclass
class Row:
    ranker: str
    scores: Scores


@dataclass
class Report:
    """What `waggle expertise eval` prints: a row per ranker."""

    site: Site
    rows: list[Row]
    no_earlier_activity: float  # share of test questions whose accepted answerer had none
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        s = self.site
        return {
            "data_set": {"name": s.name, "path": str(s.source), **s.facts,
                         "test_questions": len(s.tests),
                         "tested_from": s.split_at.isoformat(timespec="seconds")},
            "no_earlier_activity": round(self.no_earlier_activity, 4),
            "rankers": {r.ranker: r.scores.as_dict() for r in self.rows},
            "seconds": round(self.seconds, 2),
        }

    def table(self) -> str:
        s = self.site
        header = ["ranker", *(METRIC_NAMES[m] for m in ACCEPTED_METRICS),
                  *(f"any {METRIC_NAMES[m]}" for m in ANY_METRICS)]
        lines = [[r.ranker, *(f"{getattr(r.scores, m):.4f}" for m in ACCEPTED_METRICS),
                  *(f"{getattr(r.scores, f'any_{m}'):.4f}" for m in ANY_METRICS)]
                 for r in self.rows]
        widths = [max(len(x) for x in column) for column in zip(header, *lines, strict=True)]

        def format_line(cells: list[str]) -> str:
            return "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                             for i, (cell, w) in enumerate(zip(cells, widths, strict=True)))

        return "\n".join([
            f"{s.name}: {len(s.tests):,} test questions (accepted answer, asked from "
            f"{s.split_at:%Y-%m-%d}, after the first {TRAIN_SHARE:.0%} of the timeline); "
            f"{self.no_earlier_activity:.1%} of their accepted answerers had no earlier "
            f"activity (a miss for every ranker); {self.seconds:.1f} s",
            format_line(header), format_line(["-" * w for w in widths]),
            *map(format_line, lines)])


def evaluate(site: Site, ablation: bool = False) -> Report:
    """Replay `site` once and score every ranker (and, with `ablation`, Waggle's signals alone
    and in pairs) on its test questions."""
    started = time.perf_counter()
    rankers = {**RANKERS, **(ABLATION if ablation else {})}
    tallies = {name: Tally() for name in rankers}
    unseen = 0
    for test, signals in replay(site):
        unseen += test.accepted_answerer not in signals.candidates
        for name, ranker in rankers.items():
            tallies[name].add(ranking(ranker(signals), signals.candidates), test)
    rows = [Row(name, tally.scores()) for name, tally in tallies.items()]
    return Report(site, rows, unseen / len(site.tests) if site.tests else 0.0,
                  time.perf_counter() - started)
