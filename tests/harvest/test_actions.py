"""The batch writer and the runner, fed by a small in-memory archive (the formats have
their own tests): provenance, idempotence, updates, opt-out, placeholders, failures, resume."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_person
from waggle.core.models import AuditEntry
from waggle.exchange.models import Comment, Mention, Post, PostLink
from waggle.harvest.models import Identity, ImportRun
from waggle.harvest.records import (
    AcceptRecord,
    CommentRecord,
    HarvestError,
    LinkRecord,
    PersonRecord,
    PostRecord,
    SpaceRecord,
    Unit,
    mention,
    space_link,
)
from waggle.harvest.runner import run_import
from waggle.notify.models import Notification
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.models import Membership, Space
from waggle.value.models import ValueReport

T0 = dt.datetime(2021, 3, 4, 10, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


class ListSource:
    """An archive held in a list: what a parser would yield, without a file format."""

    kind = "testarchive"

    def __init__(self, units: list[Unit], namespace: str = "acme",
                 fail_at: int | None = None, interrupt_at: int | None = None) -> None:
        self.namespace = namespace
        self._units = units
        self.fail_at, self.interrupt_at = fail_at, interrupt_at

    def check(self) -> None:
        return None

    def estimate(self) -> int | None:
        return len(self._units)

    def units(self) -> Iterator[Unit]:
        for i, unit in enumerate(self._units, start=1):
            if i == self.fail_at:
                raise HarvestError("threads.json", f"line {i}", "unexpected end of data")
            if i == self.interrupt_at:
                raise KeyboardInterrupt
            yield unit


def archive(*, answer_body: str = "Use `renv::restore()` after cloning.") -> list[Unit]:
    people = Unit("people.json", [
        PersonRecord("u1", name="Ada Asker", username="ada", emails=("ada@archive.org",)),
        PersonRecord("u2", name="Hal Helper", username="hal"),
        PersonRecord("u3", name="Cy Commenter", username="cy"),
    ])
    space = Unit("spaces.json", [SpaceRecord("general", "General", "Everything else")])
    thread = Unit("general/2021-03-04.json", [
        PostRecord("q1", "question", "general", "u1", "How do I restore packages?",
                   "Cloning the repo leaves me without packages. #R", at(0), topics=("R",)),
        PostRecord("a1", "answer", "general", "u2", "", answer_body, at(5), question="q1"),
        CommentRecord("c1", "a1", "u3", f"Thanks {mention('u2')}, see {space_link('general')}",
                      at(7)),
        AcceptRecord("q1", "a1"),
    ])
    update = Unit("general/2021-03-05.json", [
        PostRecord("p2", "update", "general", "u2", "Moved CI to the new runners",
                   "Builds take 4 minutes now.", at(60 * 24)),
        CommentRecord("c2", "p2", "u1", "Nice.", at(60 * 24 + 3)),
        LinkRecord("l1", "p2", "q1", "related"),
    ])
    return [people, space, thread, update]


def test_import_creates_everything_with_provenance(db: Any) -> None:
    summary = run_import(ListSource(archive()))
    assert summary.created == {"person": 3, "space": 1, "question": 1, "answer": 1,
                               "update": 1, "comment": 2, "link": 1, "value report": 1}
    question = Post.objects.get(kind="question")
    answer = Post.objects.get(kind="answer")
    assert (question.source, question.external_id) == ("testarchive", "acme/q1")
    assert question.accepted_answer == answer
    assert question.answer_count == 1 and answer.comment_count == 1
    assert question.created_at == at(0) and question.last_activity_at == at(5)
    assert [t.name for t in question.topics.all()] == ["r"]
    assert question.author.username == "ada" and question.author.display_name == "Ada Asker"
    space = Space.objects.get(source="testarchive")
    assert space.name == "General" and space.visibility == Space.Visibility.OPEN
    assert set(Membership.objects.filter(space=space).values_list("user__username", flat=True)) \
        == {"ada", "hal", "cy"}
    report = ValueReport.objects.get()
    assert report.harvested and report.solved_problem and report.post == answer
    assert report.reporter.username == "ada" and report.helper.username == "hal"
    link = PostLink.objects.get()
    assert (link.post.kind, link.target, link.kind) == ("update", question, "related")
    assert not Notification.objects.exists()
    assert AuditEntry.objects.filter(action="harvest.import_batch").exists()
    assert ImportRun.objects.get().status == ImportRun.Status.FINISHED


def test_placeholders_become_mentions_and_space_links(db: Any) -> None:
    run_import(ListSource(archive()))
    comment = Comment.objects.get(external_id="acme/c1")
    space = Space.objects.get(source="testarchive")
    assert comment.body.startswith("Thanks @hal, see [#General](/spaces/")
    assert f'href="/spaces/{space.slug}/"' in comment.body_html
    assert Mention.objects.get(comment=comment).person.username == "hal"


def test_second_run_creates_nothing_and_counts_unchanged(db: Any) -> None:
    run_import(ListSource(archive()))
    counts = (User.objects.count(), Post.objects.count(), Comment.objects.count(),
              PostLink.objects.count(), ValueReport.objects.count(), Identity.objects.count())
    again = run_import(ListSource(archive()))
    assert sum(again.created.values()) == 0 and sum(again.updated.values()) == 0
    assert again.unchanged["question"] == 1 and again.unchanged["comment"] == 2
    assert counts == (User.objects.count(), Post.objects.count(), Comment.objects.count(),
                      PostLink.objects.count(), ValueReport.objects.count(),
                      Identity.objects.count())


def test_changed_items_are_updated(db: Any) -> None:
    run_import(ListSource(archive()))
    again = run_import(ListSource(archive(answer_body="Run `renv::restore()`, then restart R.")))
    assert again.updated == {"answer": 1}
    answer = Post.objects.get(kind="answer")
    assert "restart R" in answer.body and "restart R" in answer.body_html


def test_another_archive_of_the_same_kind_does_not_collide(db: Any) -> None:
    run_import(ListSource(archive()))
    other = run_import(ListSource(archive(), namespace="globex"))
    assert other.created["question"] == 1
    assert Post.objects.filter(kind="question").count() == 2
    # Hal has no e-mail in either archive, so he is two people; Ada's address is one person.
    assert User.objects.filter(username__startswith="hal").count() == 2
    assert User.objects.filter(username__startswith="ada").count() == 1


def test_people_are_matched_by_email_and_their_profile_kept(db: Any) -> None:
    ada = make_person("ada_lovelace", display_name="Ada L.")
    ada.email = "ADA@archive.org"
    ada.save()
    summary = run_import(ListSource(archive()))
    assert summary.created["person"] == 2
    ada.refresh_from_db()
    assert Post.objects.get(kind="question").author == ada
    assert ada.display_name == "Ada L."
    assert Identity.objects.filter(person=ada, source="testarchive", key="acme/u1").exists()


def test_username_taken_by_someone_else_gets_a_suffix(db: Any) -> None:
    make_person("hal")
    run_import(ListSource(archive()))
    imported = Post.objects.get(kind="answer").author
    assert imported.username.startswith("hal-") and imported.display_name == "Hal Helper"


def test_a_reserved_username_gets_a_suffix(db: Any) -> None:
    units = archive()
    units[0] = Unit("people.json", [
        PersonRecord("u1", name="Ada Asker", username="ada"),
        PersonRecord("u2", name="Hal Helper", username="Who-Knows"),  # /api/people/who-knows
        PersonRecord("u3", name="Cy Commenter", username="cy"),
    ])
    run_import(ListSource(units))
    imported = Post.objects.get(kind="answer").author
    assert imported.username.startswith("who-knows-") and imported.display_name == "Hal Helper"


def test_opted_out_person_is_not_imported_and_counted(db: Any) -> None:
    ada = make_person("ada_lovelace")
    ada.email = "ada@archive.org"
    ada.save()
    do_update_profile(ada, acting_user=ada, opt_out_harvest=True)
    summary = run_import(ListSource(archive()))
    # Ada's question is left out, and with it the answer and comment in her thread.
    assert not Post.objects.filter(kind="question").exists()
    assert not Post.objects.filter(kind="answer").exists()
    assert not Comment.objects.filter(author=ada).exists()
    assert summary.skipped["opted out of harvesting"] == 2  # her question and her comment
    assert summary.skipped["answer to a question not imported"] == 1
    assert Post.objects.filter(kind="update").count() == 1


def test_opting_out_later_removes_what_was_imported(db: Any) -> None:
    run_import(ListSource(archive()))
    ada = User.objects.get(username="ada")
    do_update_profile(ada, acting_user=ada, opt_out_harvest=True)
    summary = run_import(ListSource(archive()))
    assert summary.skipped["removed: author opted out"] == 2
    assert not Post.objects.filter(author=ada).exists()
    assert not Comment.objects.filter(author=ada).exists()


@pytest.mark.parametrize("read_ahead", [True, False], ids=["reader-process", "one-process"])
def test_a_failing_unit_keeps_earlier_batches_and_the_rerun_resumes(
    db: Any, read_ahead: bool
) -> None:
    units = archive()
    with pytest.raises(HarvestError, match=r"threads.json, line 4: unexpected end of data"):
        run_import(ListSource(units, fail_at=4), batch_records=1, read_ahead=read_ahead)
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and run.units_done == 3
    assert "threads.json" in run.error
    # The whole thread (unit 3) is in; the update (unit 4) is not.
    assert Post.objects.filter(kind__in=["question", "answer"]).count() == 2
    assert not Post.objects.filter(kind="update").exists()
    summary = run_import(ListSource(units), batch_records=1)
    assert summary.resumed_after == 3
    assert summary.created == {"update": 1, "comment": 1, "link": 1}
    assert ImportRun.objects.get().status == ImportRun.Status.FINISHED
    assert Post.objects.count() == 3


def test_a_failing_batch_is_not_half_written(db: Any) -> None:
    units = archive()
    with pytest.raises(HarvestError):
        run_import(ListSource(units, fail_at=4), batch_records=10_000)
    # Units 1-3 were still pending in the one batch: nothing at all is written.
    assert not Post.objects.exists() and not User.objects.exists()


def test_a_write_error_names_the_unit_and_rolls_back(db: Any) -> None:
    bad = Unit("general/2021-03-09.json", [
        PostRecord("p9", "update", "general", "u1", "Broken", "x", None),  # type: ignore[arg-type]
    ])
    with pytest.raises(HarvestError, match=r"general/2021-03-09.json"):
        run_import(ListSource([*archive(), bad]), batch_records=1)
    assert not Post.objects.filter(external_id="acme/p9").exists()
    assert Post.objects.filter(kind="update").count() == 1


@pytest.mark.parametrize("read_ahead", [True, False], ids=["reader-process", "one-process"])
def test_an_interrupted_import_resumes(db: Any, read_ahead: bool) -> None:
    units = archive()
    with pytest.raises(KeyboardInterrupt):
        run_import(ListSource(units, interrupt_at=3), batch_records=1, read_ahead=read_ahead)
    assert ImportRun.objects.get().status == ImportRun.Status.INTERRUPTED
    summary = run_import(ListSource(units), batch_records=1)
    assert summary.resumed_after == 2 and summary.created["question"] == 1
    assert User.objects.count() == 3


def test_restart_ignores_the_unfinished_run(db: Any) -> None:
    with pytest.raises(KeyboardInterrupt):
        run_import(ListSource(archive(), interrupt_at=3), batch_records=1)
    summary = run_import(ListSource(archive()), restart=True)
    assert summary.resumed_after == 0 and summary.unchanged["person"] == 3
    assert ImportRun.objects.count() == 2


def test_reading_ahead_writes_the_same_as_reading_in_process(db: Any) -> None:
    ahead = run_import(ListSource(archive()), read_ahead=True)
    rows = sorted(Post.objects.values_list("external_id", "body_html"))
    Post.objects.all().delete()
    inline = run_import(ListSource(archive()), read_ahead=False, restart=True)
    assert ahead.created["question"] == inline.created["question"] == 1
    assert sorted(Post.objects.values_list("external_id", "body_html")) == rows


def test_summary_lines_name_kinds_and_skip_reasons(db: Any) -> None:
    units = archive()
    units[2].skipped["bot message"] = 4
    text = "\n".join(run_import(ListSource(units)).lines())
    assert "question" in text and "bot message" in text and "errors: none" in text
