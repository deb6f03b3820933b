"""Search quality on data with known answers: readers for SemEval-2016 Task 3 subtask B and for
Stack Exchange dumps, the metrics, and the lexical, semantic and hybrid rankers that are scored.
Framework-free (no Django), so `waggle search eval` and the benchmarks share it.

The lexical ranker is the product's engine in miniature: an in-memory SQLite FTS5 table with the
product's tokenizer and bm25 weights, queried with `fts5_expression(any_of(parse_query(text)))`.
"""

from __future__ import annotations

import dataclasses
import html
import re
import sqlite3
import time
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nh3
from lxml import etree

from waggle.search import ranking
from waggle.search.language import TITLE_WEIGHT, any_of, fts5_expression, parse_query

if TYPE_CHECKING:  # numpy comes with the semantic extra; lexical evaluation runs without it
    import numpy as np
    import numpy.typing as npt

SEMEVAL, STACKEXCHANGE = "semeval", "stackexchange"
#: The columns reported for each kind of data set: the official measures of SemEval subtask B
#: (MAP, MRR over the 10 candidates); for duplicate finding in a whole site, the first page.
METRICS = {SEMEVAL: ("map", "mrr"), STACKEXCHANGE: ("mrr_at_10", "recall_at_1", "recall_at_10")}
METRIC_NAMES = {"map": "MAP", "mrr": "MRR", "mrr_at_10": "MRR@10", "recall_at_1": "R@1",
                "recall_at_10": "R@10"}
#: The labels of subtask B that count as relevant (the third, "Irrelevant", does not).
RELEVANT_LABELS = {"PerfectMatch", "Relevant"}
GOLD_SUFFIX = ".subtaskB.relevancy"
#: The product's FTS5 tokenizer (search migration 0002), so the lexical figures are its own.
FTS5_TOKENIZE = "porter unicode61 remove_diacritics 2"
#: How many results each ranker keeps per query in a whole-collection search: what fusion sees
#: (the metrics read the first 10).
POOL = 100
QUESTION_TYPE, ANSWER_TYPE = "1", "2"
LINK_TYPES = {"1": "related", "3": "duplicate"}

Encoder = Callable[[list[str]], "npt.NDArray[np.float32]"]


class EvaluationError(Exception):
    """A data set that cannot be read; the message names the file and what is wrong."""


# --- data sets --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Document:
    """A question that may be found: title and body as plain text, and the rest of its thread
    (answers, comments), which the product indexes too."""

    key: str
    title: str
    body: str
    replies: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return question_text(self.title, self.body)


@dataclass(frozen=True)
class Query:
    """A question asked, and the documents that answer it (`relevant`). `candidates`: the only
    documents to rank (SemEval gives 10 per question); None means the whole collection less
    the query itself. `original_order`: the data set's own ranking (SemEval's IR baseline)."""

    key: str
    title: str
    body: str
    relevant: frozenset[str]
    candidates: tuple[str, ...] | None = None
    original_order: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        return question_text(self.title, self.body)


@dataclass
class Collection:
    """A data set: its queries and every document they may find."""

    name: str
    kind: str
    source: Path
    queries: list[Query]
    documents: dict[str, Document]
    facts: dict[str, int] = field(default_factory=dict)  # counts worth reporting


def question_text(title: str, body: str) -> str:
    return " ".join(part for part in (title.strip(), body.strip()) if part)


# Links to a question of the site, in a post's HTML, a comment's markdown, or bare. They are the
# ground truth (PostLinks records them), and their text is mostly the linked question's title,
# or its URL's slug: left in, they would give the answer away.
_QUESTION_URL = r"""(?:https?://[^\s"'<>)]*)?/(?:questions|q)/\d+[^\s"'<>)]*"""
_QUESTION_LINKS = re.compile(
    rf"""<a\s[^>]*href=["']{_QUESTION_URL}["'][^>]*>.*?</a>"""  # HTML
    rf"""|\[[^\]]*\]\({_QUESTION_URL}\)"""  # markdown
    rf"""|https?://[^\s"'<>)]*/(?:questions|q)/\d+[^\s"'<>)]*""",  # bare
    re.IGNORECASE | re.DOTALL,
)


def html_text(body_html: str) -> str:
    """The words of an HTML body (Stack Exchange posts), without markup."""
    return " ".join(html.unescape(nh3.clean(body_html, tags=set())).split())


def unlinked(text: str) -> str:
    """`text` without its links to questions of the site (see _QUESTION_LINKS)."""
    return _QUESTION_LINKS.sub(" ", text)


def _xml_error(path: Path, error: Exception) -> EvaluationError:
    return EvaluationError(f"{path}: not a well-formed XML file ({error})")


def semeval_gold_path(xml_path: Path) -> Path:
    """Where the gold labels of a SemEval file lie: beside it, named after it."""
    return xml_path.with_name(xml_path.name + GOLD_SUFFIX)


def read_semeval(path: Path, gold: Path | None = None) -> Collection:
    """A SemEval-2016 Task 3 file (subtask B: each original question with its 10 related
    questions and their comments) and its gold labels: `gold`, else the `.subtaskB.relevancy`
    file beside it, else the labels inside the XML (RELQ_RELEVANCE2ORGQ)."""
    path = Path(path)
    if not path.is_file():
        raise EvaluationError(f"{path}: no such file")
    originals: dict[str, tuple[str, str]] = {}
    candidates: dict[str, list[tuple[int, str]]] = defaultdict(list)
    labels: dict[tuple[str, str], str] = {}
    documents: dict[str, Document] = {}
    try:
        # The file repeats each original question once per related one; each is read alone.
        for _, element in etree.iterparse(str(path), tag="OrgQuestion", huge_tree=True):
            orgq = element.get("ORGQ_ID")
            relq = element.find("Thread/RelQuestion")
            if not orgq or relq is None or not relq.get("RELQ_ID"):
                raise EvaluationError(
                    f"{path}: line {element.sourceline}: an OrgQuestion without ORGQ_ID or a "
                    "Thread/RelQuestion with RELQ_ID (is this a SemEval-2016 Task 3 file?)")
            originals.setdefault(orgq, (_text(element, "OrgQSubject"), _text(element, "OrgQBody")))
            key = relq.get("RELQ_ID", "")
            try:
                order = int(relq.get("RELQ_RANKING_ORDER", ""))
            except ValueError:
                raise EvaluationError(f"{path}: line {relq.sourceline}: RELQ_RANKING_ORDER of "
                                      f"{key} is not a number") from None
            candidates[orgq].append((order, key))
            labels[orgq, key] = relq.get("RELQ_RELEVANCE2ORGQ", "")
            comments = tuple(t for c in element.iterfind("Thread/RelComment")
                             if (t := _text(c, "RelCText")))
            documents[key] = Document(key, _text(relq, "RelQSubject"), _text(relq, "RelQBody"),
                                      comments)
            element.clear()
    except etree.XMLSyntaxError as error:
        raise _xml_error(path, error) from None
    if not originals:
        raise EvaluationError(f"{path}: no OrgQuestion elements (is this a SemEval-2016 Task 3 "
                              "file?)")
    relevant = _semeval_gold(path, gold, labels)
    queries = [
        Query(key=orgq, title=title, body=body,
              relevant=frozenset(k for _, k in candidates[orgq] if (orgq, k) in relevant),
              candidates=tuple(k for _, k in candidates[orgq]),
              original_order=tuple(k for _, k in sorted(candidates[orgq])))
        for orgq, (title, body) in originals.items()
    ]
    return Collection(
        name=path.name, kind=SEMEVAL, source=path, queries=queries, documents=documents,
        facts={"candidates": len(labels), "relevant": len(relevant),
               "comments": sum(len(d.replies) for d in documents.values())},
    )


def _text(element: Any, child: str) -> str:
    found = element.find(child)
    return " ".join((found.text or "").split()) if found is not None else ""


def _semeval_gold(path: Path, gold: Path | None, labels: dict[tuple[str, str], str]
                  ) -> set[tuple[str, str]]:
    """The (original, related) pairs that are relevant."""
    gold = Path(gold) if gold is not None else semeval_gold_path(path)
    if not gold.is_file():
        if set(labels.values()) <= RELEVANT_LABELS | {"Irrelevant"}:
            return {pair for pair, label in labels.items() if label in RELEVANT_LABELS}
        raise EvaluationError(f"{gold}: no such file, and {path} has no labels of its own "
                              "(pass the gold file with --gold)")
    relevant: set[tuple[str, str]] = set()
    seen = 0
    with gold.open(encoding="utf-8", errors="replace") as lines:
        for number, line in enumerate(lines, 1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 5 or fields[4] not in {"true", "false"}:
                raise EvaluationError(f"{gold}: line {number}: expected 'ORGQ_ID RELQ_ID rank "
                                      f"score true|false', found {line.strip()[:80]!r}")
            pair = (fields[0], fields[1])
            if pair not in labels:
                raise EvaluationError(f"{gold}: line {number}: {fields[1]} is not a related "
                                      f"question of {fields[0]} in {path}")
            seen += 1
            if fields[4] == "true":
                relevant.add(pair)
    if seen < len(labels):
        raise EvaluationError(f"{gold}: labels for {seen} of the {len(labels)} related "
                              f"questions in {path}")
    return relevant


def read_stackexchange(directory: Path) -> Collection:
    """A Stack Exchange dump: every question is a document (title, body, answers, comments,
    as plain text without links to other questions); the queries are the questions linked
    (duplicate or related, either direction) to another question of the dump, and those are
    what each should find."""
    directory = Path(directory)
    if not directory.is_dir():
        raise EvaluationError(f"{directory}: no such directory")
    posts, links = directory / "Posts.xml", directory / "PostLinks.xml"
    for required in (posts, links):
        if not required.is_file():
            raise EvaluationError(f"{required}: no such file (a Stack Exchange dump has "
                                  "Posts.xml and PostLinks.xml)")
    questions: dict[str, tuple[str, str]] = {}
    replies: dict[str, list[str]] = defaultdict(list)
    thread_of: dict[str, str] = {}
    for row in _rows(posts, "posts"):
        post_id, kind = row.get("Id", ""), row.get("PostTypeId")
        if kind == QUESTION_TYPE:
            questions[post_id] = (" ".join(row.get("Title", "").split()),
                                  html_text(unlinked(row.get("Body", ""))))
            thread_of[post_id] = post_id
        elif kind == ANSWER_TYPE and row.get("ParentId"):
            thread_of[post_id] = row.get("ParentId", "")
            replies[row.get("ParentId", "")].append(html_text(unlinked(row.get("Body", ""))))
    comments = directory / "Comments.xml"
    if comments.is_file():
        for row in _rows(comments, "comments"):
            thread = thread_of.get(row.get("PostId", ""))
            if thread:
                replies[thread].append(" ".join(unlinked(row.get("Text", "")).split()))
    linked: dict[str, set[str]] = defaultdict(set)
    counts = dict.fromkeys(LINK_TYPES.values(), 0)
    for row in _rows(links, "postlinks"):
        a, b, kind = row.get("PostId", ""), row.get("RelatedPostId", ""), row.get("LinkTypeId")
        if kind in LINK_TYPES and a != b and a in questions and b in questions:
            counts[LINK_TYPES[kind]] += 1
            linked[a].add(b)
            linked[b].add(a)
    documents = {key: Document(key, title, body, tuple(t for t in replies[key] if t))
                 for key, (title, body) in questions.items()}
    queries = [Query(key=key, title=questions[key][0], body=questions[key][1],
                     relevant=frozenset(linked[key]))
               for key in questions if linked[key]]
    return Collection(
        name=directory.name, kind=STACKEXCHANGE, source=directory, queries=queries,
        documents=documents,
        facts={"questions": len(questions), **{f"{k} links": n for k, n in counts.items()}},
    )


def _rows(path: Path, root: str) -> Iterator[dict[str, str]]:
    """The attributes of each <row> of a dump file whose root element is `root`."""
    try:
        for event, element in etree.iterparse(str(path), events=("start", "end"),
                                              huge_tree=True):
            if event == "start":
                if element.getparent() is None and element.tag != root:
                    raise EvaluationError(f"{path}: the root element is <{element.tag}>, not "
                                          f"<{root}> (is this a Stack Exchange dump file?)")
                continue
            if element.tag == "row":
                yield dict(element.attrib)
                element.clear()
    except etree.XMLSyntaxError as error:
        raise _xml_error(path, error) from None


# --- metrics ----------------------------------------------------------------------------------

def average_precision(ranked: Sequence[str], relevant: frozenset[str] | set[str],
                      cutoff: int = 10) -> float:
    """Average precision as SemEval's official scorer computes it: the mean of the precision
    at each of the first `cutoff` ranks that holds a relevant document, and 0 when none does
    (so a query with no relevant candidate counts 0 in the mean)."""
    found, precisions = 0, []
    for rank, key in enumerate(ranked[:cutoff], 1):
        if key in relevant:
            found += 1
            precisions.append(found / rank)
    return sum(precisions) / len(precisions) if precisions else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: frozenset[str] | set[str],
                    cutoff: int | None = None) -> float:
    """1 / the rank of the first relevant document in the first `cutoff`; 0 if none there."""
    for rank, key in enumerate(ranked[:cutoff], 1):
        if key in relevant:
            return 1.0 / rank
    return 0.0


def recall(ranked: Sequence[str], relevant: frozenset[str] | set[str], cutoff: int) -> float:
    """The share of the relevant documents found in the first `cutoff` (0 if none exist)."""
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranked[:cutoff])) / len(relevant)


@dataclass(frozen=True)
class Scores:
    """Each metric's mean over the queries."""

    queries: int
    map: float
    mrr: float
    mrr_at_10: float
    recall_at_1: float
    recall_at_10: float

    def as_dict(self, metrics: Sequence[str] | None = None) -> dict[str, float | int]:
        names = metrics or ("map", "mrr", "mrr_at_10", "recall_at_1", "recall_at_10")
        return {"queries": self.queries, **{m: round(getattr(self, m), 4) for m in names}}


def score(rankings: Mapping[str, Sequence[str]], queries: Sequence[Query]) -> Scores:
    """The metrics of `rankings` (query key -> document keys, best first); a query missing
    from `rankings` found nothing."""
    n = len(queries)

    def mean(values: list[float]) -> float:
        return sum(values) / n if n else 0.0

    ranked = [(rankings.get(q.key, ()), q.relevant) for q in queries]
    return Scores(
        queries=n,
        map=mean([average_precision(r, rel) for r, rel in ranked]),
        mrr=mean([reciprocal_rank(r, rel) for r, rel in ranked]),
        mrr_at_10=mean([reciprocal_rank(r, rel, 10) for r, rel in ranked]),
        recall_at_1=mean([recall(r, rel, 1) for r, rel in ranked]),
        recall_at_10=mean([recall(r, rel, 10) for r, rel in ranked]),
    )


# --- rankers ----------------------------------------------------------------------------------

Scored = dict[str, dict[str, float]]  # query key -> document key -> score (higher is better)


def ranked_keys(scores: Mapping[str, float]) -> list[str]:
    """Keys best first. Ties are broken by a hash of the key: the data sets' ids follow their
    own ranking (SemEval's Q268_R4 is its 4th), which must not leak into ours."""
    return sorted(scores, key=lambda k: (-scores[k], zlib.crc32(k.encode())))


def _pool(collection: Collection, query: Query) -> Sequence[str]:
    if query.candidates is not None:
        return query.candidates
    return [k for k in collection.documents if k != query.key]


class LexicalIndex:
    """The documents in an in-memory FTS5 table, as the product indexes its entries: title and
    body columns, the product's tokenizer, ranked by bm25 with the product's title weight.
    As in the product's "has this been asked?", a question and each of its replies (answers,
    comments) are entries of their own, and a thread scores as its best-matching entry: a
    question is found by the words of its answers too."""

    def __init__(self, documents: Sequence[Document]) -> None:
        self.keys = [d.key for d in documents]
        self.rowids = {key: rowid for rowid, key in enumerate(self.keys)}
        entries = [(i, d.title, d.body) for i, d in enumerate(documents)]
        entries += [(i, "", reply) for i, d in enumerate(documents) for reply in d.replies]
        self.db = sqlite3.connect(":memory:")
        self.db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(title, body, thread UNINDEXED, "
                        f"tokenize='{FTS5_TOKENIZE}')")
        self.db.executemany("INSERT INTO docs(rowid, thread, title, body) VALUES (?, ?, ?, ?)",
                            [(n, *entry) for n, entry in enumerate(entries)])

    def scores(self, text: str, among: Sequence[str] | None = None, limit: int = POOL
               ) -> dict[str, float]:
        """bm25 (higher is better) of the best `limit` threads with an entry matching any word
        of `text` (a thread scores as its best entry), among `among` only when given."""
        query = any_of(parse_query(text))
        if query.is_empty:
            return {}
        sql = f"SELECT thread, -bm25(docs, {TITLE_WEIGHT}, 1.0) FROM docs WHERE docs MATCH ?"
        params: list[Any] = [fts5_expression(query)]
        if among is not None:
            threads = [self.rowids[k] for k in among if k in self.rowids]
            sql += f" AND thread IN ({', '.join('?' * len(threads))})"
            params += threads
        best: dict[int, float] = {}
        for thread, value in self.db.execute(sql, params):
            best[thread] = max(value, best.get(thread, value))
        ranked = sorted(best.items(), key=lambda item: -item[1])[:limit]
        return {self.keys[thread]: float(value) for thread, value in ranked}


def lexical_scores(collection: Collection, limit: int = POOL) -> Scored:
    """Each query's bm25 scores over its candidates (or the whole collection, less itself)."""
    index = LexicalIndex(list(collection.documents.values()))
    scored: Scored = {}
    for q in collection.queries:
        found = index.scores(q.text, q.candidates, limit + (q.candidates is None))
        found.pop(q.key, None)
        scored[q.key] = found
    return scored


def semantic_scores(collection: Collection, encode: Encoder, limit: int = POOL,
                    also: Scored | None = None) -> Scored:
    """Each query's cosine similarity to its candidates (or the `limit` nearest documents of
    the whole collection, less itself): exact, over L2-normalized embeddings of what
    `ranking.document_text` makes of each document. `also`: documents to score as well, per
    query (the lexical matches: the product knows the cosine of every thread it ranks)."""
    import numpy as np

    if all(q.candidates is not None for q in collection.queries):
        keys = list(dict.fromkeys(k for q in collection.queries for k in q.candidates or ()))
    else:
        keys = list(collection.documents)
    documents = [collection.documents[k] for k in keys]
    vectors = encode([ranking.document_text(d.title, d.body, d.replies) for d in documents])
    queries = encode([q.text for q in collection.queries])
    row = {k: i for i, k in enumerate(keys)}
    scored: Scored = {}
    for q, vector in zip(collection.queries, queries, strict=True):
        pool = [row[k] for k in _pool(collection, q)]
        similarity = vectors[pool] @ vector
        best = np.argsort(-similarity, kind="stable")[:limit]
        scored[q.key] = {keys[pool[i]]: float(similarity[i]) for i in best}
        for key in (also or {}).get(q.key, {}):
            if key in row and key not in scored[q.key]:
                scored[q.key][key] = float(vectors[row[key]] @ vector)
    return scored


def fused_scores(lexical: Scored, semantic: Scored) -> Scored:
    return {q: dict(ranking.fuse(lexical.get(q, {}), semantic.get(q, {}))) for q in semantic}


def first_queries(collection: Collection, n: int) -> Collection:
    """The same data set with its first `n` queries only (every document stays findable)."""
    return dataclasses.replace(collection, queries=collection.queries[:max(0, n)])


# --- the report -------------------------------------------------------------------------------

@dataclass
class Row:
    ranker: str
    scores: Scores
    seconds: float


@dataclass
class Report:
    """What `waggle search eval` prints: a row per ranker, and why a row is missing."""

    collection: Collection
    rows: list[Row]
    semantic_missing: str = ""

    @property
    def metrics(self) -> tuple[str, ...]:
        return METRICS[self.collection.kind]

    def as_dict(self) -> dict[str, Any]:
        c = self.collection
        return {
            "data_set": {"name": c.name, "kind": c.kind, "path": str(c.source),
                         "queries": len(c.queries), "documents": len(c.documents), **c.facts},
            "metrics": list(self.metrics),
            "rankers": {r.ranker: {**r.scores.as_dict(self.metrics),
                                   "seconds": round(r.seconds, 2)} for r in self.rows},
            "semantic": "installed" if not self.semantic_missing else self.semantic_missing,
        }

    def table(self) -> str:
        c = self.collection
        header = ["ranker", *(METRIC_NAMES[m] for m in self.metrics), "queries", "seconds"]
        lines = [[r.ranker, *(f"{getattr(r.scores, m):.4f}" for m in self.metrics),
                  str(r.scores.queries), f"{r.seconds:.1f}"] for r in self.rows]
        widths = [max(len(x) for x in column) for column in zip(header, *lines, strict=True)]

        def format_line(cells: list[str]) -> str:
            return "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                             for i, (cell, w) in enumerate(zip(cells, widths, strict=True)))

        facts = ", ".join(f"{n:,} {what}" for what, n in c.facts.items())
        out = [f"{c.name} ({c.kind}): {len(c.queries):,} queries, {len(c.documents):,} "
               f"documents; {facts}", format_line(header),
               format_line(["-" * w for w in widths]), *map(format_line, lines)]
        if self.semantic_missing:
            out.append(f"semantic and hybrid: {self.semantic_missing}")
        return "\n".join(out)


def evaluate(collection: Collection, encode: Encoder | None, semantic_missing: str = ""
             ) -> Report:
    """Score the rankers on `collection`: the data set's own ranking (where it has one),
    lexical, and, given an encoder, semantic and hybrid."""
    rows: list[Row] = []
    if any(q.original_order for q in collection.queries):
        rows.append(Row("IR baseline", score({q.key: q.original_order
                                               for q in collection.queries},
                                              collection.queries), 0.0))
    started = time.perf_counter()
    lexical = lexical_scores(collection)
    lexical_seconds = time.perf_counter() - started
    rows.append(Row("lexical", rank_and_score(lexical, collection), lexical_seconds))
    if encode is not None:
        started = time.perf_counter()
        semantic = semantic_scores(collection, encode, also=lexical)
        semantic_seconds = time.perf_counter() - started
        rows.append(Row("semantic", rank_and_score(semantic, collection), semantic_seconds))
        started = time.perf_counter()
        hybrid = fused_scores(lexical, semantic)
        rows.append(Row("hybrid", rank_and_score(hybrid, collection),
                        lexical_seconds + semantic_seconds + time.perf_counter() - started))
    return Report(collection, rows, semantic_missing)


def rank_and_score(scored: Scored, collection: Collection) -> Scores:
    """Rank each query's scored documents; candidates a ranker did not score come last (in
    the neutral tie order), as a result list would show them."""
    rankings = {}
    for q in collection.queries:
        found = scored.get(q.key, {})
        rest = {k: float("-inf") for k in (q.candidates or ()) if k not in found}
        rankings[q.key] = ranked_keys({**found, **rest})
    return score(rankings, collection.queries)
