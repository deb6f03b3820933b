"""Hybrid ranking: how the lexical (bm25) and semantic (embedding cosine) scores of the same
results become one order, and what text of a thread is embedded. Framework-free.

The rule comes from `bench/bench_search_fusion.py` (SemEval-2016 subtask B dev and two Stack
Exchange sites): each signal becomes z-scores over the results being ranked, so neither's scale
matters, and the semantic one weighs SEMANTIC_WEIGHT. The semantic signal is the stronger on
every data set measured, so equal weights (plain reciprocal rank fusion, or normalized scores at
0.5) dilute it and fall below semantic alone; at 0.7 bm25 adds what it knows (exact names,
numbers, rare words): SemEval MAP 0.775 -> 0.786, quantumcomputing MRR@10 0.462 -> 0.493. On
bicycles.meta (discussions about the site, whose shared vocabulary misleads bm25) it costs MRR@10
0.436 -> 0.422 while R@10 gains 0.534 -> 0.557. Weights from 0.65 to 0.8 stay within 0.015 of these.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)

SEMANTIC_WEIGHT = 0.7


def document_text(title: str, body: str, replies: Sequence[str] = ()) -> str:
    """What is embedded for a thread: its question, then its answers and comments, as one text
    (the model reads the first 256 word pieces, so a long question leaves the replies out).
    Measured against the question alone: better on SemEval and bicycles, a little worse on
    quantumcomputing, whose questions are long."""
    return " ".join(part for part in (title.strip(), body.strip(), *replies) if part.strip())


def z_scores(scores: Mapping[K, float]) -> dict[K, float]:
    """Each score's distance from the mean in standard deviations (all 0 when they are equal)."""
    if not scores:
        return {}
    mean = sum(scores.values()) / len(scores)
    spread = math.sqrt(sum((v - mean) ** 2 for v in scores.values()) / len(scores))
    return {k: (v - mean) / spread if spread > 0 else 0.0 for k, v in scores.items()}


def fuse(lexical: Mapping[K, float], semantic: Mapping[K, float], *,
         semantic_weight: float = SEMANTIC_WEIGHT) -> list[tuple[K, float]]:
    """The results of both rankers, best first, with their fused score.

    Scores are higher-is-better (bm25 negated, cosine as is). A result that one ranker did not
    return scores as that ranker's worst result did: it is no better than anything it found.
    With one ranker empty, its order is the other's. Ties keep the order of `semantic`, then
    of `lexical`, as given.
    """
    lex, sem = z_scores(lexical), z_scores(semantic)
    lex_floor, sem_floor = min(lex.values(), default=0.0), min(sem.values(), default=0.0)
    keys = list(dict.fromkeys([*semantic, *lexical]))
    fused = {k: semantic_weight * sem.get(k, sem_floor)
             + (1 - semantic_weight) * lex.get(k, lex_floor) for k in keys}
    return sorted(fused.items(), key=lambda item: -item[1])
