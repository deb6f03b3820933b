"""Hybrid ranking: the fusion of bm25 and cosine scores on hand-made results, the text embedded
for a thread, and the encoder itself (which needs the semantic extra; skipped without it)."""

from __future__ import annotations

import pytest

from waggle.search import ranking, semantic

needs_semantic = pytest.mark.skipif(not semantic.available(), reason=semantic.MISSING)


def order(fused: list[tuple[str, float]]) -> list[str]:
    return [key for key, _ in fused]


def test_a_result_both_rankers_like_comes_first() -> None:
    lexical = {"a": 12.0, "b": 3.0, "c": 1.0}
    semantic_scores = {"a": 0.71, "b": 0.74, "c": 0.20}
    assert order(ranking.fuse(lexical, semantic_scores))[0] == "a"


def test_semantic_leads_when_the_two_disagree() -> None:
    # bm25 prefers x by as much as the cosine prefers y: the semantic side decides.
    lexical = {"x": 10.0, "y": 0.0, "z": 5.0}
    semantic_scores = {"x": 0.2, "y": 0.8, "z": 0.5}
    assert order(ranking.fuse(lexical, semantic_scores)) == ["y", "z", "x"]
    # ...unless the weight says otherwise.
    assert order(ranking.fuse(lexical, semantic_scores, semantic_weight=0.3)) == ["x", "z", "y"]


def test_scales_do_not_matter() -> None:
    lexical = {"a": 3.0, "b": 2.0, "c": 1.0}
    semantic_scores = {"a": 0.30, "b": 0.50, "c": 0.10}
    assert order(ranking.fuse(lexical, semantic_scores)) == order(
        ranking.fuse({k: v * 1000 for k, v in lexical.items()},
                     {k: v / 10 + 0.5 for k, v in semantic_scores.items()}))


def test_a_result_one_ranker_missed_scores_as_that_rankers_worst() -> None:
    lexical = {"a": 5.0, "b": 4.0}  # c matched no word: as if it had b's bm25
    semantic_scores = {"a": 0.5, "b": 0.6, "c": 0.6}
    fused = dict(ranking.fuse(lexical, semantic_scores))
    assert sorted(fused) == ["a", "b", "c"]
    assert fused["c"] == pytest.approx(fused["b"])


def test_one_empty_ranker_leaves_the_others_order() -> None:
    semantic_scores = {"a": 0.1, "b": 0.9, "c": 0.5}
    assert order(ranking.fuse({}, semantic_scores)) == ["b", "c", "a"]
    assert order(ranking.fuse({"a": 1.0, "b": 7.0}, {})) == ["b", "a"]
    assert ranking.fuse({}, {}) == []


def test_equal_scores_keep_the_given_order() -> None:
    assert order(ranking.fuse({}, {"q": 0.5, "p": 0.5, "r": 0.5})) == ["q", "p", "r"]
    assert ranking.scaled({"a": 2.0, "b": 2.0}) == {"a": 1.0, "b": 1.0}
    assert ranking.scaled({"a": -3.0, "b": 5.0, "c": 1.0}) == {"a": 0.0, "b": 1.0, "c": 0.5}


def test_a_thread_is_embedded_question_first_then_replies() -> None:
    text = ranking.document_text(" Best bank ", "Which bank in Doha?", ["QNB", " ", "CBQ"])
    assert text == "Best bank Which bank in Doha? QNB CBQ"


# --- the encoder (the semantic extra) ---------------------------------------------------------

@needs_semantic
def test_encode_gives_unit_vectors_that_know_paraphrases() -> None:
    vectors = semantic.encode([
        "Which bank is best for opening an account in Doha?",
        "Good bank in Qatar to open a savings account",
        "How do I adjust the rear derailleur of my bike?",
    ])
    assert vectors.shape == (3, semantic.DIMENSION) and str(vectors.dtype) == "float32"
    assert [round(float(v @ v), 4) for v in vectors] == [1.0, 1.0, 1.0]
    paraphrase, unrelated = float(vectors[0] @ vectors[1]), float(vectors[0] @ vectors[2])
    assert paraphrase > 0.5 > unrelated
    assert semantic.encode([]).shape == (0, semantic.DIMENSION)


def test_without_the_extra_encode_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(semantic, "available", lambda: False)
    with pytest.raises(semantic.SemanticUnavailable, match=r"semantic extra.*not installed"):
        semantic.encode(["a question"])


def test_thread_count_follows_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WAGGLE_EMBEDDING_THREADS", "3")
    assert semantic.threads() == 3
    monkeypatch.setenv("WAGGLE_EMBEDDING_THREADS", "lots")
    assert semantic.threads() >= 1
