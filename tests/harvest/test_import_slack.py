"""Importing real Slack channels into the database: counts equal the files, mentions and
channel links resolve, a second run creates nothing, and a damaged day file leaves the
database as it was before the failing batch (never half a thread)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.harvest.test_source_slack import EXPORT, expected_counts, read_folders
from waggle.exchange.models import Comment, Mention, Post
from waggle.harvest.models import ImportRun
from waggle.harvest.records import HarvestError, PostRecord
from waggle.harvest.runner import run_import
from waggle.harvest.sources.slack import SlackSource
from waggle.people.models import User
from waggle.spaces.models import Space

# Listed channels with questions, mentions and links to other channels, and an archived
# one that channels.json leaves out.
CHANNELS = ("core-dev-help", "gsod", "patches-for-review")
NAMESPACE = "T01DW9DLB2A"


@pytest.fixture
def channels(shared_data: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "r-contributors"
    copy.mkdir()
    shutil.copy(shared_data / EXPORT / "users.json", copy / "users.json")
    listed = json.loads((shared_data / EXPORT / "channels.json").read_text(encoding="utf-8"))
    (copy / "channels.json").write_text(json.dumps([c for c in listed if c["name"] in CHANNELS]))
    for folder in CHANNELS:
        shutil.copytree(shared_data / EXPORT / folder, copy / folder)
    return copy


def database_counts() -> dict[str, int]:
    posts = Post.objects.filter(source="slack")
    return {
        "question": posts.filter(kind="question").count(),
        "answer": posts.filter(kind="answer").count(),
        "update": posts.filter(kind="update").count(),
        "comment": Comment.objects.filter(source="slack").count(),
    }


def test_real_channels_import_twice_without_duplicates(db: Any, channels: Path) -> None:
    expected = expected_counts(read_folders(channels))
    wanted = {k: expected[k] for k in ("question", "answer", "update", "comment")}
    assert all(wanted.values())

    first = run_import(SlackSource(channels))
    assert database_counts() == wanted
    assert {k: first.created[k] for k in wanted} == wanted
    assert first.created["space"] == len(CHANNELS)
    assert first.skipped["bot account"] == 15 and first.skipped["join or leave"] > 0
    assert set(Space.objects.filter(source="slack").values_list("external_id", "name")) == {
        (f"{NAMESPACE}/C01ESS92UMN", "core-dev-help"), (f"{NAMESPACE}/gsod", "gsod"),
        (f"{NAMESPACE}/C01FDG8C5TJ", "patches-for-review"),
    }
    # Every placeholder became an @mention or a link; mentioned people are recorded.
    bodies = list(Post.objects.values_list("body", flat=True)) + list(
        Comment.objects.values_list("body", flat=True)
    )
    assert not any("{{waggle:" in b for b in bodies)
    assert Mention.objects.exists()
    mentioned = Mention.objects.select_related("person").first()
    assert mentioned is not None and mentioned.person.source == "slack"
    # A link to a channel whose messages come later already points at its space.
    reply = f"{NAMESPACE}/C01ESS92UMN/1704895776.439109"
    body = (Post.objects.filter(external_id=reply).values_list("body", flat=True).first()
            or Comment.objects.get(external_id=reply).body)
    assert "feedback for this [#patches-for-review](/spaces/" in body
    # "@channel" reached everyone in Slack; in Waggle it is words, not a person to notify.
    broadcast = Post.objects.get(external_id=f"{NAMESPACE}/gsod/1654521753.439049")
    assert broadcast.body.startswith("`@channel` I moved the contributing guide here")
    assert not broadcast.mentions.exists()

    second = run_import(SlackSource(channels))
    assert sum(second.created.values()) == 0 and sum(second.updated.values()) == 0
    assert {k: second.unchanged[k] for k in wanted} == wanted
    assert database_counts() == wanted
    assert User.objects.filter(source="slack").count() == first.created["person"]


def test_damaged_day_file_leaves_no_half_thread(db: Any, channels: Path) -> None:
    damaged = "patches-for-review/2023-08-10.json"  # the last channel, after two whole ones
    whole = (channels / damaged).read_bytes()
    (channels / damaged).write_bytes(whole[: len(whole) // 2])

    with pytest.raises(HarvestError) as caught:
        run_import(SlackSource(channels), batch_records=40)
    assert str(caught.value).startswith(f"{damaged}, line ")

    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and damaged in run.error
    # The database holds exactly the posts of the committed units, each thread whole.
    committed: list[str] = []
    for i, unit in enumerate(SlackSource(channels).units()):
        if i >= run.units_done:
            break
        committed += [r.key for r in unit.records if isinstance(r, PostRecord)]
    assert committed
    assert set(Post.objects.values_list("external_id", flat=True)) == {
        f"{NAMESPACE}/{key}" for key in committed
    }
    assert not Post.objects.filter(space__name="patches-for-review").exists()

    (channels / damaged).write_bytes(whole)
    resumed = run_import(SlackSource(channels), batch_records=40)
    assert resumed.resumed_after == run.units_done
    expected = expected_counts(read_folders(channels))
    assert database_counts() == {
        k: expected[k] for k in ("question", "answer", "update", "comment")
    }
