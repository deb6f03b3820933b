"""Importing the real mail archives into the database: what lands there matches what the
reader found, a second run creates nothing, and a damaged file leaves nothing behind."""

from __future__ import annotations

import gzip
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from waggle.exchange.models import Comment, Post
from waggle.harvest.models import Identity, ImportRun
from waggle.harvest.records import CommentRecord, HarvestError, PersonRecord, PostRecord
from waggle.harvest.runner import run_import
from waggle.harvest.sources.mbox import MboxSource
from waggle.people.models import User
from waggle.spaces.models import Space

LISTS = "mailing-lists-mbox"
NUMPY = "numpy-discussion-2001-November.txt"


def parsed_counts(path: Path) -> Counter[str]:
    """What the reader yields, by kind, to compare with what the import wrote."""
    counts: Counter[str] = Counter()
    source = MboxSource([path])
    source.check()
    for unit in source.units():
        for r in unit.records:
            if isinstance(r, PostRecord):
                counts[r.kind] += 1
            elif isinstance(r, CommentRecord):
                counts["comment"] += 1
            elif isinstance(r, PersonRecord):
                counts["person"] += 1
    return counts


def imported_counts() -> Counter[str]:
    counts: Counter[str] = Counter()
    for kind in ("question", "answer", "update"):
        counts[kind] = Post.objects.filter(source="mbox", kind=kind).count()
    counts["comment"] = Comment.objects.filter(source="mbox").count()
    counts["person"] = User.objects.filter(source="mbox").count()
    return counts


def test_lists_import_once_and_match_the_archive(db: Any, shared_data: Path) -> None:
    path = shared_data / LISTS
    summary = run_import(MboxSource([path]))
    expected = parsed_counts(path)
    assert imported_counts() == expected
    assert summary.created["question"] == expected["question"] > 0
    assert summary.created["comment"] == expected["comment"] > 0
    assert Space.objects.filter(source="mbox").count() == 6
    assert summary.skipped["duplicate message (same Message-ID in the file)"] == 86
    # Two addresses, one person.
    perry = User.objects.get(source="mbox", display_name="Perry Greenfield")
    assert set(
        Identity.objects.filter(person=perry, source="email").values_list("key", flat=True)
    ) == {"perry@stsci.edu", "greenfield@home.com"}
    question = Post.objects.get(source="mbox", title="Assembly optimized numerical packages?")
    assert question.answer_count == 2
    assert question.author is not None and question.author.email == "hungjunglu@yahoo.com"

    again = run_import(MboxSource([path]))
    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    assert imported_counts() == expected
    assert ImportRun.objects.filter(status=ImportRun.Status.FINISHED).count() == 2


def _truncated_copy(tmp_path: Path, shared_data: Path) -> tuple[Path, int]:
    folder = tmp_path / "lists"
    folder.mkdir()
    shutil.copy(shared_data / LISTS / "perceval-pipermail_2015_november.mbox", folder)
    data = (shared_data / LISTS / NUMPY).read_bytes()
    start = [m.start() for m in re.finditer(rb"^From \S+ at \S+  ", data, re.M)][36]
    (folder / NUMPY).write_bytes(data[: start + 70])
    return folder, start


def test_a_damaged_file_names_the_place_and_leaves_nothing(
    db: Any, tmp_path: Path, shared_data: Path
) -> None:
    folder, start = _truncated_copy(tmp_path, shared_data)
    with pytest.raises(HarvestError) as caught:
        run_import(MboxSource([folder]))
    assert caught.value.path == f"lists/{NUMPY}"
    assert caught.value.position == f"message 37 (byte {start})"
    # The reader checks every file before it hands over a thread: no half thread, and not
    # even the good file's threads.
    assert not Post.objects.filter(source="mbox").exists()
    assert not Comment.objects.filter(source="mbox").exists()
    assert ImportRun.objects.get().status == ImportRun.Status.FAILED

    (folder / NUMPY).write_bytes((shared_data / LISTS / NUMPY).read_bytes())
    run_import(MboxSource([folder]))
    assert Post.objects.filter(source="mbox").exists()
    assert ImportRun.objects.filter(status=ImportRun.Status.FINISHED).count() == 1


def test_a_compressed_month_and_its_plain_copy_are_one_archive(
    db: Any, tmp_path: Path, shared_data: Path
) -> None:
    """Pipermail's *.txt.gz imports like the plain file; importing the decompressed copy later
    creates nothing new."""
    folder = tmp_path / "numpy"
    folder.mkdir()
    packed = folder / f"{NUMPY}.gz"
    packed.write_bytes(gzip.compress((shared_data / LISTS / NUMPY).read_bytes()))
    summary = run_import(MboxSource([folder]))
    expected = parsed_counts(shared_data / LISTS / NUMPY)
    assert imported_counts() == expected and summary.created["question"] > 0
    assert Space.objects.get(source="mbox").name == "numpy/numpy-discussion-2001-November"
    packed.unlink()
    shutil.copy(shared_data / LISTS / NUMPY, folder)
    again = run_import(MboxSource([folder]))
    assert sum(again.created.values()) == 0
    assert imported_counts() == expected
