"""Hybrid ranking: how the lexical (bm25) and semantic (embedding cosine) scores of the same
results become one order, and what text of a thread is embedded. Framework-free.

The rule comes from `bench/bench_search_fusion.py` (SemEval-2016 subtask B dev and two Stack
Exchange sites): each signal is scaled to 0..1 over the results being ranked (min-max), so
neither's scale matters, and the semantic one weighs SEMANTIC_WEIGHT. The semantic signal is the
stronger on SemEval and bicycles.meta, so equal weights (plain reciprocal rank fusion, or
normalized scores at 0.5) dilute it and fall below semantic alone; at 0.8 bm25 adds what it
knows (exact names, numbers, rare words). The lexical signal fused is a thread's best-matching
entry (its question, an answer or a comment: `similar.py`, `evaluation.LexicalIndex`); bm25 over
the question alone, the earlier input, misled the fusion on bicycles.meta (a meta site whose
shared vocabulary says little), where the fusion then fell below semantic alone. Measured
(SemEval MAP; Stack Exchange MRR@10): lexical 0.666 / 0.479 / 0.407, semantic 0.775 / 0.462 /
0.436, fused 0.781 / 0.513 / 0.453. Weights 0.7 to 0.9, z-scores instead of min-max, stay within
0.03 of these and above both signals on every set; SemEval's 0.78 is crossed only just.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

SEMANTIC_WEIGHT = 0.8


def document_text(title: str, body: str, replies: Sequence[str] = ()) -> str:
    """What is embedded for a thread: its question, then its answers and comments, as one text
    (the model reads the first 256 word pieces, so a long question leaves the replies out).
    Measured against the question alone: better on SemEval and bicycles, a little worse on
    quantumcomputing, whose questions are long."""
    return " ".join(part for part in (title.strip(), body.strip(), *replies) if part.strip())


def scaled(scores: Mapping[K, float]) -> dict[K, float]:
    """Each score scaled to 0 (the lowest) .. 1 (the highest); all 1 when they are equal."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {k: (v - low) / span if span > 0 else 1.0 for k, v in scores.items()}


def fuse(lexical: Mapping[K, float], semantic: Mapping[K, float], *,
         semantic_weight: float = SEMANTIC_WEIGHT) -> list[tuple[K, float]]:
    """The results of both rankers, best first, with their fused score.

    Scores are higher-is-better (bm25 negated, cosine as is). A result that one ranker did not
    return scores as that ranker's worst result did: it is no better than anything it found.
    With one ranker empty, its order is the other's. Ties keep the order of `semantic`, then
    of `lexical`, as given.
    """
    lex, sem = scaled(lexical), scaled(semantic)
    lex_floor, sem_floor = min(lex.values(), default=0.0), min(sem.values(), default=0.0)
    keys = list(dict.fromkeys([*semantic, *lexical]))
    fused = {k: semantic_weight * sem.get(k, sem_floor)
             + (1 - semantic_weight) * lex.get(k, lex_floor) for k in keys}
    return sorted(fused.items(), key=lambda item: -item[1])
