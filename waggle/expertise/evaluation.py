"""Expert finding quality on a Stack Exchange dump: the reader, the replay of the site in time
order, the metrics, and the rankers that are scored (Waggle's and three baselines).
Framework-free (no Django), so `waggle expertise eval` and the tests share it.

The test questions are the questions with an accepted answer (by someone else than the asker)
asked after the first TRAIN_SHARE of the site's timeline, by time span: from the first post's
creation to the last one's. For each, every person with earlier activity (a question, an
answer or a comment) except the asker is a candidate, ranked with only what had happened
before the question was asked; the accepted answerer is what each ranker should find ("any
answerer": everyone who answered it). Someone with no earlier activity cannot be found: a miss.

The evidence is what Waggle's importer makes of a dump, scored by `scoring`: answers and
comments on their thread's tags, and each acceptance with the asker's harvested value report,
known from the end of the day of its vote (Votes.xml dates acceptances to the day; without one,
from the answer). The site is replayed once, in time order, each activity added to incremental
state (the topic scores, the recency, a full-text index of answers) as its time passes.
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

# --- the data set -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Activity:
    """Something a person did, at the moment it could first be known. `kind` is ASKED or the
    Evidence it is; `topics` are the tags of its `thread`; `text`, for answers only, is what the
    text ranker indexes: the question's title and the answer."""

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

    __test__ = False  # for pytest: a data class, not tests

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


def _date(path: Path, row: Mapping[str, str]) -> dt.datetime:
    """A row's CreationDate (UTC in the dumps)."""
    value = row.get("CreationDate", "")
    try:
        at = dt.datetime.fromisoformat(value)
    except ValueError:
        raise EvaluationError(f"{path}: the row with Id={row.get('Id', '?')}: CreationDate "
                              f"{value!r} is not a date") from None
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


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
    accepted: str  # the accepted answer's id, or ""

    @property
    def text(self) -> str:
        return f"{self.title} {self.body}"


@dataclass(slots=True)
class _Answer:
    at: dt.datetime
    author: str | None
    question: str
    body: str


def read_site(directory: Path) -> Site:
    """A Stack Exchange dump: Posts.xml, and Comments.xml and Votes.xml when present."""
    directory = Path(directory)
    if not directory.is_dir():
        raise EvaluationError(f"{directory}: no such directory")
    questions, answers = _posts(directory / "Posts.xml")
    facts: Counter[str] = Counter({"questions": len(questions), "answers": len(answers)})
    activities = _activities(directory, questions, answers, facts)
    times = [q.at for q in questions.values()] + [a.at for a in answers.values()]
    start, end = min(times), max(times)
    split_at = start + (end - start) * TRAIN_SHARE
    answerers: dict[str, set[str]] = defaultdict(set)
    for a in answers.values():
        if a.author:
            answerers[a.question].add(a.author)
    tests = []
    for key, q in sorted(questions.items(), key=lambda item: item[1].at):
        accepted = answers.get(q.accepted)
        if q.at < split_at or accepted is None or accepted.question != key:
            continue
        if not accepted.author or not q.asker or accepted.author == q.asker:
            facts["skipped: accepted answer by the asker or an unknown person"] += 1
            continue
        tests.append(TestQuestion(key, q.at, q.asker, q.topics, q.text, accepted.author,
                                  frozenset(answerers[key] - {q.asker})))
    return Site(name=directory.name, source=directory, activities=activities, tests=tests,
                split_at=split_at, facts=dict(facts))


def _posts(path: Path) -> tuple[dict[str, _Question], dict[str, _Answer]]:
    """The questions and the answers (to a question of the dump) of Posts.xml, by id."""
    if not path.is_file():
        raise EvaluationError(f"{path}: no such file (a Stack Exchange dump has Posts.xml)")
    questions: dict[str, _Question] = {}
    answers: dict[str, _Answer] = {}
    for row in _rows(path, "posts"):
        kind, key = row.get("PostTypeId"), row.get("Id", "")
        if kind == QUESTION_TYPE:
            questions[key] = _Question(
                _date(path, row), _person(row.get("OwnerUserId")), _tags(row.get("Tags", "")),
                " ".join(row.get("Title", "").split()), html_text(row.get("Body", "")),
                row.get("AcceptedAnswerId", ""))
        elif kind == ANSWER_TYPE and row.get("ParentId"):
            answers[key] = _Answer(_date(path, row), _person(row.get("OwnerUserId")),
                                   row.get("ParentId", ""), html_text(row.get("Body", "")))
    if not questions:
        raise EvaluationError(f"{path}: no questions (rows with PostTypeId=1)")
    return questions, {k: a for k, a in answers.items() if a.question in questions}


def _activities(directory: Path, questions: Mapping[str, _Question],
                answers: Mapping[str, _Answer], facts: Counter[str]) -> list[Activity]:
    """Everything people did, as Waggle's importer makes it evidence, in time order."""
    activities = [Activity(q.at, q.asker, ASKED, q.topics, key)
                  for key, q in questions.items() if q.asker]
    for a in answers.values():
        if a.author:
            q = questions[a.question]
            # The answer's document: with its question's title, as the thread shows it.
            activities.append(Activity(a.at, a.author, Evidence.ANSWER, q.topics, a.question,
                                       f"{q.title} {a.body}"))
    accepted_on = _acceptance_days(directory / "Votes.xml")
    for key, q in questions.items():
        answer = answers.get(q.accepted)
        if answer is None or not answer.author or answer.question != key:
            continue
        # Dated by its vote where the dump has one (known once that day is over), else by the
        # answer; never before the answer. The product dates acceptance by the answer: right
        # once it has happened, but here it would leak acceptances that came after a test
        # question into that question's evidence.
        at = max(accepted_on.get(q.accepted, answer.at), answer.at)
        facts["acceptances dated by votes"] += q.accepted in accepted_on
        activities.append(Activity(at, answer.author, Evidence.ACCEPTED_ANSWER, q.topics, key))
        if answer.author != q.asker:  # the importer's harvested value report, from the asker
            activities.append(Activity(at, answer.author, Evidence.VALUE_RECEIVED, q.topics,
                                       key))
    comments = directory / "Comments.xml"
    if comments.is_file():
        for row in _rows(comments, "comments"):
            author, post = _person(row.get("UserId")), row.get("PostId", "")
            thread = post if post in questions else (
                answers[post].question if post in answers else None)
            if author and thread:
                activities.append(Activity(_date(comments, row), author, Evidence.COMMENT,
                                           questions[thread].topics, thread))
    activities.sort(key=lambda a: a.at)
    return activities


def _acceptance_days(path: Path) -> dict[str, dt.datetime]:
    """When each accepted answer's acceptance was known, by answer id: the end of the day of
    its vote (VoteTypeId 1, dated to the day). Empty without Votes.xml."""
    if not path.is_file():
        return {}
    return {row.get("PostId", ""): _date(path, row) + dt.timedelta(days=1)
            for row in _rows(path, "votes")
            if row.get("VoteTypeId") == ACCEPTED_VOTE and row.get("CreationDate")}


# --- the replay -------------------------------------------------------------------------------

class AnswerIndex:
    """People's earlier answers in an in-memory SQLite FTS5 table with the product's tokenizer
    (the product's own search engine), added as time passes, so bm25 sees only what existed when
    a question was asked, its document frequencies included. bm25s, the other library at hand,
    builds a static index: it would have to be rebuilt before each test question, or count later
    answers in its statistics."""

    def __init__(self) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute(f"CREATE VIRTUAL TABLE answers USING fts5(body, "
                        f"tokenize='{FTS5_TOKENIZE}')")
        self.authors: list[str] = []

    def add(self, person: str, text: str) -> None:
        self.db.execute("INSERT INTO answers(rowid, body) VALUES (?, ?)",
                        (len(self.authors), text))
        self.authors.append(person)

    def people(self, text: str) -> dict[str, float]:
        """Balog's Model 2: each person's summed bm25 (higher is better) of their answers that
        match any word of `text`. (The sum measured better than the best 3 or 10 answers: MRR
        0.370 against 0.320 and 0.324 on quantumcomputing.)"""
        words = dict.fromkeys(w.casefold() for w in _WORD.findall(text))
        query = any_of(parse_query(" ".join(words)))
        if query.is_empty or not self.authors:
            return {}
        found: dict[str, float] = defaultdict(float)
        for rowid, value in self.db.execute(
                "SELECT rowid, -bm25(answers) FROM answers WHERE answers MATCH ?",
                (fts5_expression(query),)):
            found[self.authors[rowid]] += value
        return dict(found)


@dataclass
class Signals:
    """What is known about the candidates when a test question is asked: everyone with earlier
    activity but the asker. Each mapping holds the candidates with a non-zero value only."""

    candidates: set[str]
    answers: dict[str, int]           # answers given so far, on any topic
    topic_answers: dict[str, int]     # answers on the question's topics, summed over its tags
    topic_evidence: dict[str, float]  # summed current() evidence on the question's topics
    text: dict[str, float]            # Model 2: bm25 of their earlier answers, summed
    recency: dict[str, float]         # scoring.recent_help


def replay(site: Site) -> Iterator[tuple[TestQuestion, Signals]]:
    """Each test question, in time order, with the signals computed from strictly earlier
    activity only: one pass over the site, each activity added to the state once."""
    index = AnswerIndex()
    active: set[str] = set()
    answers: Counter[str] = Counter()
    topic_answers: dict[str, Counter[str]] = defaultdict(Counter)
    topic_grown: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    recent: dict[str, tuple[float, dt.datetime]] = {}  # recent_help, kept incrementally
    activities = iter(site.activities)
    pending = next(activities, None)
    for test in site.tests:
        while pending is not None and pending.at < test.at:
            a, pending = pending, next(activities, None)
            active.add(a.person)
            if a.kind == ASKED:
                continue
            kind = Evidence(a.kind)
            for topic in a.topics:
                topic_grown[topic][a.person] += scoring.evidence_score(kind, a.at)
            if kind in scoring.RECENCY_KINDS:
                value, since = recent.get(a.person, (0.0, a.at))
                recent[a.person] = (scoring.decayed(value, since, a.at)
                                    + scoring.WEIGHTS[kind], a.at)
            if kind == Evidence.ANSWER:
                answers[a.person] += 1
                for topic in a.topics:
                    topic_answers[topic][a.person] += 1
                index.add(a.person, a.text)
        candidates = active - {test.asker}
        topic_evidence: dict[str, float] = defaultdict(float)
        by_topic: Counter[str] = Counter()
        for topic in dict.fromkeys(test.topics):
            for person, value in topic_grown[topic].items():
                if person in candidates:
                    topic_evidence[person] += scoring.current(value, test.at)
            by_topic.update({p: n for p, n in topic_answers[topic].items() if p in candidates})
        yield test, Signals(
            candidates=candidates,
            answers={p: n for p, n in answers.items() if p in candidates},
            topic_answers=dict(by_topic),
            topic_evidence=dict(topic_evidence),
            text={p: v for p, v in index.people(test.text).items() if p in candidates},
            recency={p: scoring.decayed(value, since, test.at)
                     for p, (value, since) in recent.items() if p in candidates},
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
        self.sums: dict[str, float] = defaultdict(float)

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
WAGGLE = "Waggle"


def fused(topic: bool = True, text: bool = True, recency: bool = True) -> Ranker:
    """`scoring.fuse_people` over the signals chosen (all three: Waggle's ranking)."""

    def rank(s: Signals) -> dict[str, float]:
        return dict(scoring.fuse_people(s.topic_evidence if topic else {},
                                        s.text if text else {},
                                        s.recency if recency else None))

    return rank


#: Waggle's ranking and the baselines: the most active answerer so far, the answerers of the
#: question's topics (answers per tag, summed over its tags: the topic signal with every answer
#: counting 1, no acceptances, no decay), and the document-based model (Model 2 over answers).
RANKERS: dict[str, Ranker] = {
    WAGGLE: fused(),
    "most active answerer": lambda s: s.answers,
    "topic answerers": lambda s: s.topic_answers,
    "BM25 Model 2 (documents)": lambda s: s.text,
}
BASELINES = tuple(name for name in RANKERS if name != WAGGLE)
#: What each of Waggle's signals adds: fuse_people with one of them, or two.
ABLATION: dict[str, Ranker] = {
    "topic evidence only": fused(text=False, recency=False),
    "text only": fused(topic=False, recency=False),
    "recency only": fused(topic=False, text=False),
    "topic + text": fused(recency=False),
    "topic + recency": fused(text=False),
    "text + recency": fused(topic=False),
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

    def mrr(self, ranker: str) -> float:
        return next(r.scores.mrr for r in self.rows if r.ranker == ranker)

    @property
    def best_baseline(self) -> str:
        return max(BASELINES, key=self.mrr)

    @property
    def gain(self) -> float:
        """Waggle's MRR (accepted answerer) over the best baseline's."""
        best = self.mrr(self.best_baseline)
        return self.mrr(WAGGLE) / best if best else 0.0

    def as_dict(self) -> dict[str, Any]:
        s = self.site
        return {
            "data_set": {"name": s.name, "path": str(s.source), **s.facts,
                         "test_questions": len(s.tests),
                         "tested_from": s.split_at.isoformat(timespec="seconds")},
            "no_earlier_activity": round(self.no_earlier_activity, 4),
            "rankers": {r.ranker: r.scores.as_dict() for r in self.rows},
            "best_baseline": self.best_baseline,
            "waggle_over_best_baseline": round(self.gain, 3),
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
            f"{s.name}: {len(s.tests):,} test questions (accepted answer by someone else than "
            f"the asker, asked from {s.split_at:%Y-%m-%d}: after the first {TRAIN_SHARE:.0%} "
            f"of the timeline); {self.no_earlier_activity:.1%} of their accepted answerers had "
            f"no earlier activity (a miss for every ranker)",
            "columns: the accepted answerer's MRR, P@1, R@5, R@10; any answerer's MRR, R@10",
            format_line(header), format_line(["-" * w for w in widths]),
            *map(format_line, lines),
            f"Waggle's MRR is {self.gain:.2f}x the best baseline's ({self.best_baseline}); "
            f"{self.seconds:.1f} s"])


def evaluate(site: Site, ablation: bool = False) -> Report:
    """Replay `site` once and score every ranker on its test questions (with `ablation`, also
    Waggle's fusion of each signal alone and of each pair)."""
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
