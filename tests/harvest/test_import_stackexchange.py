"""Importing a real Stack Exchange dump into the database: counts equal the files, a second
run creates nothing, and a damaged file leaves the database as it was before the bad batch."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from waggle.exchange.models import Comment, Post, PostLink
from waggle.harvest.models import ImportRun
from waggle.harvest.records import HarvestError, PostRecord
from waggle.harvest.runner import run_import
from waggle.harvest.sources.stackexchange import StackExchangeSource
from waggle.value.models import ValueReport

SITE = "se-quantumcomputing"


def file_counts(dump: Path) -> dict[str, int]:
    """What the files hold, read with the standard library: posts by type, accepted
    answers, comments, and the links whose both ends are questions or answers (the others
    point at posts the dump does not have)."""
    kinds: dict[str, str] = {}
    accepted = 0
    for _, e in ET.iterparse(dump / "Posts.xml"):
        if e.tag == "row":
            kinds[e.get("Id", "")] = e.get("PostTypeId", "")
            accepted += e.get("PostTypeId") == "1" and bool(e.get("AcceptedAnswerId"))
        e.clear()
    links = {
        (e.get("PostId"), e.get("RelatedPostId"), e.get("LinkTypeId") == "3")
        for _, e in ET.iterparse(dump / "PostLinks.xml") if e.tag == "row"
    }
    links = {(p, t, d) for p, t, d in links if kinds.get(p) in ("1", "2")
             and kinds.get(t) in ("1", "2") and p != t}
    return {
        "question": sum(k == "1" for k in kinds.values()),
        "answer": sum(k == "2" for k in kinds.values()),
        "accepted": accepted,
        "comment": sum(1 for _, e in ET.iterparse(dump / "Comments.xml") if e.tag == "row"),
        "duplicate": sum(d for _, _, d in links),
        "related": sum(not d for _, _, d in links),
    }


def database_counts() -> dict[str, int]:
    posts = Post.objects.filter(source="stackexchange")
    return {
        "question": posts.filter(kind="question").count(),
        "answer": posts.filter(kind="answer").count(),
        "accepted": posts.filter(accepted_answer__isnull=False).count(),
        "comment": Comment.objects.filter(source="stackexchange").count(),
        "duplicate": PostLink.objects.filter(source="stackexchange", kind="duplicate").count(),
        "related": PostLink.objects.filter(source="stackexchange", kind="related").count(),
    }


def test_real_dump_imports_twice_without_duplicates(db: Any, shared_data: Path) -> None:
    dump = shared_data / SITE
    expected = file_counts(dump)
    first = run_import(StackExchangeSource(dump))
    assert database_counts() == expected
    assert first.created["question"] == expected["question"]
    assert first.created["comment"] == expected["comment"]
    # Every accepted answer is also a harvested "solved a problem" report from the asker,
    # unless the asker answered themselves or is unknown.
    reports = ValueReport.objects.filter(source="stackexchange", harvested=True)
    assert 0 < reports.count() <= expected["accepted"]
    assert set(reports.values_list("post_id", flat=True)) <= set(
        Post.objects.filter(accepted_answer__isnull=False).values_list("accepted_answer_id",
                                                                       flat=True)
    )

    second = run_import(StackExchangeSource(dump))
    assert sum(second.created.values()) == 0
    assert second.unchanged["question"] == expected["question"]
    assert database_counts() == expected


def test_damaged_posts_file_keeps_the_batches_before_it_and_resumes(
    db: Any, shared_data: Path, tmp_path: Path
) -> None:
    dump = tmp_path / "quantumcomputing"
    dump.mkdir()
    for name in ("Users.xml", "Posts.xml"):
        shutil.copy(shared_data / SITE / name, dump / name)
    whole = (dump / "Posts.xml").read_bytes()
    cut = whole.index(b"<row ", len(whole) // 2) + 300
    (dump / "Posts.xml").write_bytes(whole[:cut])
    cut_line = whole[:cut].count(b"\n") + 1

    with pytest.raises(HarvestError) as caught:
        run_import(StackExchangeSource(dump))
    assert str(caught.value).startswith(f"Posts.xml, line {cut_line}, column ")

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and "Posts.xml" in run.error
    # The database holds exactly the posts of the committed units; the failing batch left
    # nothing behind (no question without the answers read with it).
    committed: list[PostRecord] = []
    for i, unit in enumerate(StackExchangeSource(dump).units()):
        if i >= run.units_done:
            break
        committed += [r for r in unit.records if isinstance(r, PostRecord)]
    assert committed  # some batches were written before the damage
    assert set(Post.objects.values_list("external_id", flat=True)) == {
        f"{run.namespace}/{p.key}" for p in committed
    }

    (dump / "Posts.xml").write_bytes(whole)
    resumed = run_import(StackExchangeSource(dump))
    assert resumed.resumed_after == run.units_done
    counts = file_counts(shared_data / SITE)
    assert Post.objects.filter(kind="question").count() == counts["question"]
    assert Post.objects.filter(kind="answer").count() == counts["answer"]
    assert Post.objects.filter(accepted_answer__isnull=False).count() == counts["accepted"]
