"""What each signal and each way of fusing them adds to search quality: the study behind
`waggle/search/ranking.py`. Needs the semantic extra.

For each data set (SemEval-2016 subtask B dev, the Stack Exchange dumps in ../shared/data) it
computes the signals once: bm25 of the product's lexical engine (a thread scored as its best
entry, question, answer or comment: the product's; over the question's title+body alone; over
the whole thread read as one text); cosine of the query to the candidate's title, title+body,
whole thread read as one text. Then it scores rankers built from them:
each signal alone, mixes of the semantic ones, and fusions of bm25 with the semantic ranker:
reciprocal rank fusion (k, weight), min-max and z-score normalization with a weight, and
semantic-led ranking where bm25 adds a small bonus. One table, a row per ranker, a column per
data set (SemEval: MAP; Stack Exchange: MRR@10); the last column says whether the row beats
both of the signals it fuses on every data set. Embeddings are cached per text (--cache).

    .venv/bin/python bench/bench_search_fusion.py --cache /tmp/waggle-embeddings
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from waggle.search import evaluation as ev  # noqa: E402 - after the path is set
from waggle.search import ranking, semantic  # noqa: E402

Vectors = npt.NDArray[np.float32]
Scored = ev.Scored
Fusion = Callable[[dict[str, float], dict[str, float]], dict[str, float]]
LEXICAL = "bm25 best entry of the thread (lexical)"


def shared_data() -> Path:
    return Path(os.environ.get("WAGGLE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def collections(only: str | None) -> dict[str, ev.Collection]:
    data = shared_data()
    found = {
        "semeval-dev": lambda: ev.read_semeval(
            data / "semeval2016-task3-cqa" / "SemEval2016-Task3-CQA-QL-dev.xml"),
        "se-quantumcomputing": lambda: ev.read_stackexchange(data / "se-quantumcomputing"),
        "se-bicycles-meta": lambda: ev.read_stackexchange(data / "se-bicycles-meta"),
    }
    return {name: read() for name, read in found.items() if only in (None, name)}


class Embeddings:
    """semantic.encode with a cache on disk, one file of vectors per batch of new texts."""

    def __init__(self, cache: Path | None) -> None:
        self.cache = cache
        self.known: dict[str, Vectors] = {}
        self.seconds = 0.0
        self.texts = 0
        if cache and cache.is_dir():
            for path in sorted(cache.glob("*.npz")):
                stored = np.load(path)
                self.known.update(zip(stored["keys"].tolist(), stored["vectors"], strict=True))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode()).hexdigest()

    def __call__(self, texts: list[str]) -> Vectors:
        new = list(dict.fromkeys(t for t in texts if self.key(t) not in self.known))
        if new:
            started = time.perf_counter()
            vectors = semantic.encode(new)
            self.seconds += time.perf_counter() - started
            self.texts += len(new)
            keys = [self.key(t) for t in new]
            self.known.update(zip(keys, vectors, strict=True))
            if self.cache:
                self.cache.mkdir(parents=True, exist_ok=True)
                np.savez(self.cache / f"{time.time_ns()}.npz", keys=np.array(keys),
                         vectors=vectors)
        if not texts:
            return np.zeros((0, semantic.DIMENSION), dtype=np.float32)
        return np.stack([self.known[self.key(t)] for t in texts])


def pools(c: ev.Collection, *scored: Scored) -> dict[str, list[str]]:
    """The documents each query's rankers see: its candidates, or the union of what the
    whole-collection rankers found."""
    out = {}
    for q in c.queries:
        if q.candidates is not None:
            out[q.key] = list(q.candidates)
        else:
            keys: dict[str, None] = {}
            for s in scored:
                keys.update(dict.fromkeys(s.get(q.key, {})))
            out[q.key] = list(keys)
    return out


def cosine_signals(c: ev.Collection, encode: Embeddings, pool: dict[str, list[str]]
                   ) -> dict[str, Scored]:
    """Cosine of each query to each document of its pool, per representation of a document."""
    keys = list(c.documents)
    row = {k: i for i, k in enumerate(keys)}
    docs = [c.documents[k] for k in keys]
    queries = encode([q.text for q in c.queries])
    representations = {
        "cos title": encode([d.title or d.text for d in docs]),
        "cos title+body": encode([d.text for d in docs]),
        "cos thread (one text)": encode([ranking.document_text(d.title, d.body, d.replies)
                                         for d in docs]),
    }
    signals: dict[str, Scored] = {name: {} for name in representations}
    for qi, q in enumerate(c.queries):
        idx = [row[k] for k in pool[q.key]]
        for name, matrix in representations.items():
            sims = matrix[idx] @ queries[qi]
            signals[name][q.key] = {keys[i]: float(s) for i, s in zip(idx, sims, strict=True)}
    return signals


def lexical_scores_of(c: ev.Collection, documents: list[ev.Document]) -> Scored:
    """bm25 of the product's engine over these versions of the collection's documents."""
    return ev.lexical_scores(dataclasses.replace(c, documents={d.key: d for d in documents}))


def lexical_question_scores(c: ev.Collection) -> Scored:
    """bm25 over each question's title and body only (its replies left out)."""
    return lexical_scores_of(c, [ev.Document(d.key, d.title, d.body)
                                 for d in c.documents.values()])


def lexical_thread_scores(c: ev.Collection) -> Scored:
    """bm25 with the answers and comments in the body column (the thread as one entry)."""
    return lexical_scores_of(c, [ev.Document(d.key, d.title, " ".join((d.body, *d.replies)))
                                 for d in c.documents.values()])


# --- fusion variants (the product's choice is ranking.fuse) -----------------------------------

def rrf(k: float, w: float = 0.5) -> Fusion:
    def fuse(lex: dict[str, float], sem: dict[str, float]) -> dict[str, float]:
        out: dict[str, float] = {}
        for weight, scores in ((1 - w, lex), (w, sem)):
            for rank, key in enumerate(ev.ranked_keys(scores), 1):
                out[key] = out.get(key, 0.0) + weight / (k + rank)
        return out
    return fuse


def norm(scores: dict[str, float], kind: str) -> dict[str, float]:
    if not scores:
        return {}
    values = np.array(list(scores.values()))
    if kind == "minmax":
        low, span = values.min(), values.max() - values.min()
        return {k: (v - low) / span if span else 1.0 for k, v in scores.items()}
    mean, std = values.mean(), values.std()
    return {k: (v - mean) / std if std else 0.0 for k, v in scores.items()}


def normalized(kind: str, w: float) -> Fusion:
    def fuse(lex: dict[str, float], sem: dict[str, float]) -> dict[str, float]:
        n_lex, n_sem = norm(lex, kind), norm(sem, kind)
        floor_lex, floor_sem = min(n_lex.values(), default=0.0), min(n_sem.values(), default=0.0)
        return {k: w * n_sem.get(k, floor_sem) + (1 - w) * n_lex.get(k, floor_lex)
                for k in set(lex) | set(sem)}
    return fuse


def bonus(b: float, kind: str) -> Fusion:
    """Raw cosine plus b times the normalized bm25: semantic leads, words break near-ties."""
    def fuse(lex: dict[str, float], sem: dict[str, float]) -> dict[str, float]:
        n_lex = norm(lex, kind)
        floor_lex, floor_sem = min(n_lex.values(), default=0.0), min(sem.values(), default=0.0)
        return {k: sem.get(k, floor_sem) + b * n_lex.get(k, floor_lex)
                for k in set(lex) | set(sem)}
    return fuse


def mix(a: Scored, b: Scored, w: float) -> Scored:
    return {q: {k: (1 - w) * a[q][k] + w * b[q][k] for k in a[q]} for q in a}


def fusions() -> dict[str, Fusion]:
    variants: dict[str, Fusion] = {}
    for k in (1, 10, 60):
        variants[f"RRF k={k}"] = rrf(k)
    for k in (10, 60):
        for w in (0.7, 0.8):
            variants[f"RRF k={k}, w_sem={w}"] = rrf(k, w)
    for kind in ("minmax", "zscore"):
        for w in (0.5, 0.6, 0.7, 0.8, 0.9):
            variants[f"{kind}, w_sem={w}"] = normalized(kind, w)
    for b in (0.03, 0.05, 0.1, 0.2):
        variants[f"cos + {b} minmax(bm25)"] = bonus(b, "minmax")
    for b in (0.01, 0.02, 0.03, 0.05):
        variants[f"cos + {b} z(bm25)"] = bonus(b, "zscore")
    variants["ranking.fuse (the product)"] = lambda lex, sem: dict(ranking.fuse(lex, sem))
    return variants


def study(c: ev.Collection, encode: Embeddings) -> dict[str, ev.Scores]:
    """Every ranker's scores on one data set."""
    out: dict[str, ev.Scores] = {}

    def measure(label: str, scored: Scored) -> None:
        out[label] = ev.rank_and_score(scored, c)

    if any(q.original_order for q in c.queries):
        out["IR baseline (the file's order)"] = ev.score(
            {q.key: q.original_order for q in c.queries}, c.queries)
    lexical = ev.lexical_scores(c)
    product_semantic = ev.semantic_scores(c, encode)
    pool = pools(c, lexical, product_semantic)
    cos = cosine_signals(c, encode, pool)
    measure(LEXICAL, lexical)
    measure("bm25 question title+body", lexical_question_scores(c))
    measure("bm25 whole thread as one text", lexical_thread_scores(c))
    for signal, scored in cos.items():
        measure(signal, scored)
    for w in (0.3, 0.5, 0.7):
        measure(f"cos title+body + {w} thread",
                mix(cos["cos title+body"], cos["cos thread (one text)"], w))
    bases = {"thread": cos["cos thread (one text)"], "title+body": cos["cos title+body"],
             "(title+body, thread)": mix(cos["cos title+body"], cos["cos thread (one text)"],
                                         0.5)}
    for base, sem in bases.items():
        for label, fusion in fusions().items():
            measure(f"bm25 + cos {base} | {label}",
                    {q: fusion(lexical.get(q, {}), sem[q]) for q in sem})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--cache", type=Path, default=None, help="embedding cache folder")
    parser.add_argument("--only", default=None, help="one data set by name")
    args = parser.parse_args()
    if not semantic.available():
        sys.exit(f"{semantic.MISSING} ({semantic.INSTALL})")
    encode = Embeddings(args.cache)
    results: dict[str, dict[str, ev.Scores]] = {}
    metric: dict[str, str] = {}
    for name, c in collections(args.only).items():
        started = time.perf_counter()
        results[name] = study(c, encode)
        metric[name] = ev.METRICS[c.kind][0]
        print(f"{name}: {len(c.queries)} queries, {time.perf_counter() - started:.0f} s",
              file=sys.stderr, flush=True)
    names = list(results)
    labels = list(dict.fromkeys(label for r in results.values() for label in r))
    print(f"{'ranker':60}" + "".join(f"{n[:20] + ' ' + ev.METRIC_NAMES[metric[n]]:>28}"
                                      for n in names) + "  beats both")
    for label in labels:
        cells, wins = [], True
        for n in names:
            s = results[n].get(label)
            cells.append(f"{getattr(s, metric[n]):28.4f}" if s else f"{'':28}")
            if s and "|" in label:
                base = ("cos title+body + 0.5 thread" if "(title+body, thread)" in label
                        else "cos thread (one text)" if "cos thread" in label
                        else "cos title+body")
                best = max(getattr(results[n][b], metric[n])
                           for b in (LEXICAL, base))
                wins = wins and getattr(s, metric[n]) > best
        print(f"{label:60}" + "".join(cells) + ("  yes" if "|" in label and wins else ""))
    if encode.texts:
        print(f"\nencoded {encode.texts:,} new texts in {encode.seconds:.1f} s "
              f"({encode.texts / encode.seconds:.0f} texts/s)")


if __name__ == "__main__":
    main()
