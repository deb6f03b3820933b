"""Expert finding evaluation: a small hand-written Stack Exchange dump with known figures, no
leak of what came after a test question, `waggle expertise eval` on a real site from
../shared/data, and damaged input."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from waggle.expertise import evaluation as ev

ROOT = Path(__file__).resolve().parents[2]
START = dt.datetime(2020, 1, 1)
Row = dict[str, str]


def day(days: float) -> str:
    return (START + dt.timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.000")


def question(key: int, asker: int, at: float, tags: str, title: str, accepted: int = 0) -> Row:
    row = {"Id": str(key), "PostTypeId": "1", "CreationDate": day(at), "OwnerUserId": str(asker),
           "Tags": "".join(f"<{t}>" for t in tags.split()), "Title": title,
           "Body": f"<p>{title}?</p>"}
    return row | ({"AcceptedAnswerId": str(accepted)} if accepted else {})


def answer(key: int, parent: int, author: int, at: float, body: str) -> Row:
    return {"Id": str(key), "PostTypeId": "2", "ParentId": str(parent), "CreationDate": day(at),
            "OwnerUserId": str(author), "Body": f"<p>{body}</p>"}


def write(path: Path, root: str, rows: list[Row]) -> None:
    lines = ["\ufeff<?xml version=\"1.0\" encoding=\"utf-8\"?>", f"<{root}>"]
    lines += ["  <row " + " ".join(f"{k}={quoteattr(v)}" for k, v in r.items()) + " />"
              for r in rows]
    path.write_text("\n".join([*lines, f"</{root}>", ""]), encoding="utf-8")


# People: 1 Ana asks; 2 Ben knows python; 3 Cy knows some; 4 Dee answers once, with no
# earlier activity; 5 Eve only ever comments. The timeline runs from day 0 to day 10: the test
# questions are those asked after day 2.9 (30% of it): 30, 40 and 50.
POSTS = [
    question(10, 1, 0.0, "python", "Sorting python lists", accepted=11),
    answer(11, 10, 2, 0.1, "sorted with a key function"),
    answer(12, 10, 3, 1.0, "list sort in place"),
    question(20, 3, 1.0, "python sql", "Python and sql queries", accepted=21),
    answer(21, 20, 2, 1.2, "use parameters in sql queries from python"),
    question(30, 1, 5.0, "python", "Python list sorting by two keys", accepted=31),
    answer(31, 30, 2, 5.1, "a tuple key"),
    answer(32, 30, 3, 5.2, "sort twice"),
    question(40, 2, 8.0, "sql", "Indexes for sql joins", accepted=41),
    answer(41, 40, 4, 8.1, "an index on the join column"),
    question(50, 3, 10.0, "python", "Python generators", accepted=51),
    answer(51, 50, 1, 10.0417, "yield"),
]
VOTES = [  # acceptances, dated to the day; 51 has none (its answer's date stands in)
    {"Id": "1", "PostId": "11", "VoteTypeId": "1", "CreationDate": day(0)[:10] + "T00:00:00.000"},
    {"Id": "2", "PostId": "21", "VoteTypeId": "1", "CreationDate": day(1)[:10] + "T00:00:00.000"},
    {"Id": "3", "PostId": "31", "VoteTypeId": "1", "CreationDate": day(5)[:10] + "T00:00:00.000"},
    {"Id": "4", "PostId": "41", "VoteTypeId": "1", "CreationDate": day(8)[:10] + "T00:00:00.000"},
    {"Id": "5", "PostId": "31", "VoteTypeId": "2", "CreationDate": day(5)[:10] + "T00:00:00.000"},
]
COMMENTS = [
    {"Id": "1", "PostId": "12", "UserId": "3", "CreationDate": day(1.1), "Text": "thanks"},
    {"Id": "2", "PostId": "20", "UserId": "5", "CreationDate": day(9.0), "Text": "which db?"},
]
USERS = [{"Id": str(i), "DisplayName": name, "CreationDate": day(0)}
         for i, name in enumerate(["Ana", "Ben", "Cy", "Dee", "Eve"], 1)]


def make_dump(directory: Path, posts: list[Row] = POSTS, votes: list[Row] = VOTES) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    write(directory / "Posts.xml", "posts", posts)
    write(directory / "Votes.xml", "votes", votes)
    write(directory / "Comments.xml", "comments", COMMENTS)
    write(directory / "Users.xml", "users", USERS)
    return directory


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    return make_dump(tmp_path / "tiny")


@pytest.fixture(scope="module")
def shared_data() -> Path:
    path = Path(settings.WAGGLE_SHARED_DATA)
    if not path.is_dir():
        pytest.skip(f"the real data sets are not at {path} (set WAGGLE_SHARED_DATA)")
    return path


def signals_at(site: ev.Site, key: str) -> ev.Signals:
    return next(s for t, s in ev.replay(site) if t.key == key)


# --- the hand-written dump --------------------------------------------------------------------

def test_test_questions_are_the_accepted_ones_after_30_percent_of_the_timeline(dump: Path
                                                                              ) -> None:
    site = ev.read_site(dump)
    start = START.replace(tzinfo=dt.UTC)
    end = dt.datetime.fromisoformat(day(10.0417)).replace(tzinfo=dt.UTC)  # the last post
    assert site.split_at == start + (end - start) * 0.3
    assert [t.key for t in site.tests] == ["30", "40", "50"]
    first = site.tests[0]
    assert (first.asker, first.accepted_answerer, first.answerers) == (
        "1", "2", frozenset({"2", "3"}))


def test_most_active_answerer_has_the_figures_worked_out_by_hand(dump: Path) -> None:
    report = ev.evaluate(ev.read_site(dump))
    rows = {r.ranker: r.scores for r in report.rows}
    assert list(rows) == ["Waggle", "most active answerer", "topic answerers",
                          "BM25 Model 2 (documents)"]
    # Question 30: Ben (2 answers) before Cy (1): Ben is accepted, rank 1; both answered.
    # Question 40: Dee, who had done nothing before, is accepted: a miss for every ranker.
    # Question 50 (Cy asks): Ben (3 answers), Dee (1), then Ana (asked only) and Eve
    # (commented only) tie at none, in the neutral order (crc32 of "1" < of "5"): Ana, the
    # accepted answerer, is 3rd.
    active = rows["most active answerer"]
    assert active.questions == 3
    assert active.mrr == pytest.approx((1 + 0 + 1 / 3) / 3)
    assert active.p_at_1 == pytest.approx(1 / 3)
    assert active.recall_at_5 == pytest.approx(2 / 3)
    assert active.recall_at_10 == pytest.approx(2 / 3)
    assert active.any_mrr == pytest.approx((1 + 0 + 1 / 3) / 3)
    assert active.any_recall_at_10 == pytest.approx(2 / 3)
    assert report.no_earlier_activity == pytest.approx(1 / 3)
    # Ana answered nothing before 50 and Dee is out of reach at 40: nobody finds them.
    assert all(s.p_at_1 <= 1 / 3 and s.recall_at_10 == pytest.approx(2 / 3)
               for s in rows.values())


def test_signals_hold_what_happened_before_each_question(dump: Path) -> None:
    site = ev.read_site(dump)
    s30 = signals_at(site, "30")
    assert s30.candidates == {"2", "3"}  # Ana asks; Dee and Eve have done nothing yet
    assert s30.answers == {"2": 2, "3": 1}
    assert s30.topic_answers == {"2": 2, "3": 1}
    assert set(s30.text) == {"2", "3"}
    # Ben on python: two answers, and two acceptances with their harvested value reports
    # (4 + 3 each), decayed by a few days only. Cy: an answer and a comment.
    assert s30.topic_evidence["2"] == pytest.approx(2 * 1 + 2 * 7, rel=0.02)
    assert s30.topic_evidence["3"] == pytest.approx(1 + 0.25, rel=0.02)
    assert s30.recency["2"] == pytest.approx(2 ** (-4.9 / 14) + 2 ** (-3.8 / 14), rel=1e-3)
    s50 = signals_at(site, "50")
    assert s50.candidates == {"1", "2", "4", "5"}
    assert s50.topic_evidence["5"] == pytest.approx(0.25, rel=0.01)  # on a python+sql thread
    assert "4" not in s50.topic_evidence  # Dee's answer was on sql


# --- no leak from after the question ----------------------------------------------------------

def test_what_happens_after_a_question_does_not_help_rank_it(tmp_path: Path) -> None:
    late = [  # Dee answers at the very moment 30 is asked, then Cy answers python all week
        answer(60, 20, 4, 5.0, "python sorting lists keys"),
        *[answer(70 + i, 10, 3, 5.5 + i / 2, "python list sorting by two keys") for i in range(6)],
    ]
    plain = ev.read_site(make_dump(tmp_path / "plain"))
    busy = ev.read_site(make_dump(tmp_path / "busy", posts=POSTS + late))
    assert busy.split_at == plain.split_at
    assert signals_at(busy, "30") == signals_at(plain, "30")
    assert "4" not in signals_at(busy, "30").candidates
    # ... while it counts for the questions after it.
    assert signals_at(busy, "50").answers["4"] == 2


def test_an_acceptance_counts_from_the_day_after_its_vote(tmp_path: Path) -> None:
    votes = [v | {"CreationDate": day(7)[:10] + "T00:00:00.000"} if v["PostId"] == "11" else v
             for v in VOTES]
    late_vote = signals_at(ev.read_site(make_dump(tmp_path / "late", votes=votes)), "30")
    assert late_vote.topic_evidence["2"] == pytest.approx(2 * 1 + 7, rel=0.02)
    # Without Votes.xml the answer's date stands for its acceptance.
    (tmp_path / "late" / "Votes.xml").unlink()
    no_votes = signals_at(ev.read_site(tmp_path / "late"), "30")
    assert no_votes.topic_evidence["2"] == pytest.approx(2 * 1 + 2 * 7, rel=0.02)


def test_the_asker_is_never_a_candidate_and_self_answers_are_not_tested(tmp_path: Path) -> None:
    posts = [*POSTS, question(80, 2, 6.0, "sql", "Self answered", accepted=81),
             answer(81, 80, 2, 6.1, "found it")]
    site = ev.read_site(make_dump(tmp_path / "self", posts=posts))
    assert "80" not in [t.key for t in site.tests]
    assert site.facts["skipped: accepted answer by the asker or an unknown person"] == 1
    assert all(t.asker not in s.candidates for t, s in ev.replay(site))


# --- the command ------------------------------------------------------------------------------

def test_eval_prints_the_table_and_json_on_a_real_site(shared_data: Path) -> None:
    site = str(shared_data / "se-quantumcomputing")
    out = StringIO()
    call_command("expertise", "eval", "--stackexchange", site, stdout=out)
    table = out.getvalue()
    assert "197 test questions" in table and "MRR" in table and "any R@10" in table
    assert [line.split()[0] for line in table.splitlines()[4:8]] == ["Waggle", "most", "topic",
                                                                     "BM25"]
    out = StringIO()
    call_command("expertise", "eval", "--stackexchange", site, "--json", stdout=out)
    report = json.loads(out.getvalue())
    assert report["data_set"]["test_questions"] == 197
    assert 0 < report["no_earlier_activity"] < 0.1
    rankers = report["rankers"]
    assert rankers["most active answerer"]["accepted_answerer"]["mrr"] == pytest.approx(
        0.3642, abs=1e-4)
    waggle = rankers["Waggle"]["accepted_answerer"]["mrr"]
    assert all(waggle > r["accepted_answerer"]["mrr"] for name, r in rankers.items()
               if name != "Waggle")
    assert report["waggle_over_best_baseline"] > 1


def test_ablation_rows_are_the_signals_alone_and_in_pairs(dump: Path) -> None:
    out = StringIO()
    call_command("expertise", "eval", "--stackexchange", str(dump), "--ablation", "--json",
                 stdout=out)
    rankers = json.loads(out.getvalue())["rankers"]
    assert list(rankers)[4:] == ["topic evidence only", "text only", "recency only",
                                 "topic + text", "topic + recency", "text + recency"]
    assert rankers["text only"] == rankers["BM25 Model 2 (documents)"]


def test_missing_directory_and_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="nowhere: no such directory"):
        call_command("expertise", "eval", "--stackexchange", str(tmp_path / "nowhere"))
    with pytest.raises(CommandError, match=r"Posts\.xml: no such file"):
        call_command("expertise", "eval", "--stackexchange", str(tmp_path))
    write(tmp_path / "Posts.xml", "users", [{"Id": "1"}])
    with pytest.raises(CommandError, match=r"Posts\.xml: the root element is <users>"):
        call_command("expertise", "eval", "--stackexchange", str(tmp_path))
    write(tmp_path / "Posts.xml", "posts", [answer(2, 1, 1, 0, "an answer to nothing")])
    with pytest.raises(CommandError, match=r"Posts\.xml: no questions"):
        call_command("expertise", "eval", "--stackexchange", str(tmp_path))


def test_broken_xml_is_named_with_its_line(dump: Path) -> None:
    text = (dump / "Comments.xml").read_text(encoding="utf-8")
    (dump / "Comments.xml").write_text(text.replace('UserId="5"', "UserId=5"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"Comments\.xml: not a well-formed XML file "
                                           r"\(.*line 4\b"):
        call_command("expertise", "eval", "--stackexchange", str(dump))


def test_a_bad_date_is_named_with_its_row(dump: Path) -> None:
    posts = [*POSTS[:-1], POSTS[-1] | {"CreationDate": "yesterday"}]
    make_dump(dump, posts=posts)
    with pytest.raises(CommandError, match=r"Posts\.xml: the row with Id=51: CreationDate "
                                           r"'yesterday' is not a date"):
        call_command("expertise", "eval", "--stackexchange", str(dump))


def test_a_missing_directory_exits_non_zero(tmp_path: Path) -> None:
    """The real command in a real process: exit code 1, the directory named, no traceback."""
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'cli.sqlite3'}",
               DJANGO_SETTINGS_MODULE="waggle.config.settings")
    missing = tmp_path / "no-dump"
    failed = subprocess.run([sys.executable, "-m", "waggle.cli", "expertise", "eval",
                             "--stackexchange", str(missing)], env=env, capture_output=True,
                            text=True, cwd=ROOT)
    assert failed.returncode == 1
    assert f"{missing}: no such directory" in failed.stderr
    assert "Traceback" not in failed.stderr
