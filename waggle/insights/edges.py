"""The help network's edges, read from the database: who helped whom, as numpy columns.

An edge A -> B means A helped B (`network.HelpKind`):
- **answer**: A answered B's question;
- **accepted_answer**: A's answer to B's question is the accepted one (besides the answer edge);
- **value_report**: B reported that A's post or comment helped (`ValueReport.helper` -> reporter);
- **kudos**: B gave A kudos (`Kudos.receiver` <- giver).
Each weighs `network.HELP_WEIGHTS[kind]`.

Who is counted (`counted_people`): active people who did not opt out of analytics. An edge is
kept only when both ends are counted people and differ, so an opted-out person is neither a
helper nor helped anywhere. An anonymous question has no author, so nobody is "helped" by its
answers nor by its acceptance: the asker stays unknown here (the audit log, which knows them, is
never read for that). Value reports in an anonymous question's thread are left out too (the one
helped there is usually the hidden asker); the asker cannot give kudos there.

Rows are streamed (`values_list().iterator()`) and turned into numpy columns a chunk at a time,
so millions of interactions take 17 bytes each, never a Python object each.

**Cursors.** `help_edges(since=cursor)` reads only rows added after a `HelpCursor` (by id, so
an import that writes old dates is still "new"). The cursor also records how many rows it has
read at or below it, so the caller can tell whether anything was removed or committed out of
order since (`rows_at_or_below`), and the last audit entry seen, so it can find acceptances and
withdrawals made since (`changes_since`): those are not additions, and the snapshot recomputes
in full when they happen (`waggle/insights/snapshot.py`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db.models import Case, F, IntegerField, Max, Q, Value, When
from django.db.models.functions import Coalesce

from waggle.core.models import AuditEntry
from waggle.exchange.models import Post
from waggle.insights.network import HELP_WEIGHTS, FloatArray, HelpArrays, HelpKind, IntArray
from waggle.people.models import User
from waggle.value.models import Kudos, ValueReport

CHUNK = 100_000  # rows turned into arrays at a time
NONE = -1  # a missing person or department in the integer columns

# The kinds in the order of their codes in `HelpEdges.kinds`.
KINDS: tuple[HelpKind, ...] = (
    HelpKind.ANSWER,
    HelpKind.ACCEPTED_ANSWER,
    HelpKind.VALUE_REPORT,
    HelpKind.KUDOS,
)
_CODE = {kind: code for code, kind in enumerate(KINDS)}
_WEIGHT_OF_CODE = np.array([HELP_WEIGHTS[kind] for kind in KINDS], dtype=np.float64)

# Audit actions after which the help so far is no longer "the old help plus some new": a value
# report withdrawn, an import (updates, removals of opted-out people's content), a generated
# demo organization.
REMOVING_ACTIONS = ("withdraw_value_report", "harvest.import_batch", "generate_demo_organization")


def _empty() -> IntArray:
    return np.empty(0, dtype=np.int64)


# --- who is counted ----------------------------------------------------------------------------


@dataclass(frozen=True)
class People:
    """The counted people (active, not opted out of analytics) and their departments."""

    ids: IntArray  # sorted person ids
    departments: IntArray  # department id of each, NONE for no department

    def __len__(self) -> int:
        return len(self.ids)

    def contains(self, people: IntArray) -> np.ndarray[Any, np.dtype[np.bool_]]:
        """Which of `people` are counted."""
        if not len(self.ids):
            return np.zeros(len(people), dtype=bool)
        at = np.minimum(np.searchsorted(self.ids, people), len(self.ids) - 1)
        return self.ids[at] == people

    def department_of(self) -> dict[int, int | None]:
        """person -> department id (None for none): what `network.HelpNetwork` is built with."""
        return {
            int(p): (int(d) if d != NONE else None)
            for p, d in zip(self.ids.tolist(), self.departments.tolist(), strict=True)
        }

    def departments_of(self, people: IntArray) -> IntArray:
        """Department ids of (counted) `people`, NONE for none or unknown."""
        if not len(self.ids):
            return np.full(len(people), NONE, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.ids, people), len(self.ids) - 1)
        return np.where(self.ids[at] == people, self.departments[at], NONE)

    def department_sizes(self) -> dict[int, int]:
        """Counted people per department (the size every department figure is checked against)."""
        known = self.departments[self.departments != NONE]
        ids, counts = np.unique(known, return_counts=True)
        return {int(d): int(n) for d, n in zip(ids.tolist(), counts.tolist(), strict=True)}


def counted_people() -> People:
    """Everyone the insights count: active people who did not opt out of analytics."""
    rows = (
        User.objects.filter(is_active=True, opt_out_analytics=False)
        .order_by("id")
        .values_list("id", _or_none("department_id"))
    )
    ids, departments = _columns(rows.iterator(chunk_size=CHUNK // 10), 2)
    return People(ids, departments)


# --- reading rows in chunks ---------------------------------------------------------------------


def _columns(rows: Iterator[Sequence[int]], width: int) -> tuple[IntArray, ...]:
    """Integer rows as `width` int64 columns, built CHUNK rows at a time."""
    parts: list[IntArray] = []
    chunk: list[Sequence[int]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK:
            parts.append(np.asarray(chunk, dtype=np.int64).reshape(-1, width))
            chunk = []
    if chunk:
        parts.append(np.asarray(chunk, dtype=np.int64).reshape(-1, width))
    table = np.concatenate(parts) if parts else np.empty((0, width), dtype=np.int64)
    return tuple(np.ascontiguousarray(table[:, i]) for i in range(width))


def _or_none(name: str) -> Coalesce:
    return Coalesce(F(name), Value(NONE), output_field=IntegerField())


# --- the edges ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HelpCursor:
    """Where an incremental read starts: the last answer, value report, kudos and audit entry
    already read, and how many rows of each table were read at or below those ids."""

    answer: int = 0
    value_report: int = 0
    kudos: int = 0
    audit: int = 0
    answers_read: int = 0
    value_reports_read: int = 0
    kudos_read: int = 0

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


@dataclass(frozen=True)
class Acceptances:
    """Questions with an accepted answer: the ids, before anyone is filtered out, and the ends
    of the help (answer author, asker; NONE for an anonymous asker or a deleted account)."""

    questions: IntArray = field(default_factory=_empty)
    answers: IntArray = field(default_factory=_empty)
    helper: IntArray = field(default_factory=_empty)
    helped: IntArray = field(default_factory=_empty)

    def __len__(self) -> int:
        return len(self.questions)

    def take(self, which: Any) -> Acceptances:
        """The acceptances selected by a mask or index array."""
        return Acceptances(self.questions[which], self.answers[which], self.helper[which],
                           self.helped[which])

    @staticmethod
    def join(*parts: Acceptances) -> Acceptances:
        """All of `parts`, sorted by question."""
        joined = Acceptances(*(np.concatenate([getattr(p, name) for p in parts])
                               for name in ("questions", "answers", "helper", "helped")))
        return joined.take(np.argsort(joined.questions, kind="stable"))


@dataclass(frozen=True)
class HelpEdges:
    """Help interactions between counted people, as columns."""

    helper: IntArray
    helped: IntArray
    kinds: npt.NDArray[np.int8]  # index into KINDS
    people: People
    cursor: HelpCursor  # where the next incremental read starts
    acceptances: Acceptances  # the acceptances read (for the caller's bookkeeping)

    def __len__(self) -> int:
        return len(self.helper)

    @property
    def weight(self) -> FloatArray:
        return _WEIGHT_OF_CODE[self.kinds]

    def arrays(self) -> HelpArrays:
        """All the edges, weighted by kind: what `network.HelpNetwork` takes."""
        return HelpArrays(self.helper, self.helped, self.weight)

    def of_kind(self, kind: HelpKind) -> HelpArrays:
        keep = self.kinds == _CODE[kind]
        return HelpArrays(self.helper[keep], self.helped[keep], self.weight[keep])


def _kept(people: People, helper: IntArray, helped: IntArray) -> np.ndarray[Any, Any]:
    """Edges between two different counted people (NONE ends are never counted)."""
    return people.contains(helper) & people.contains(helped) & (helper != helped)


def help_edges(since: HelpCursor | None = None, *, people: People | None = None) -> HelpEdges:
    """Every help interaction between counted people, or those added after `since` (answers,
    value reports and kudos with a larger id, and the acceptance of those new answers)."""
    people = people if people is not None else counted_people()
    since = since or HelpCursor()
    # The audit position is read first: an acceptance audited while the rows are read is seen
    # again next time, and counted once thanks to the caller's bookkeeping.
    audit = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0

    answers = Post.objects.filter(kind=Post.Kind.ANSWER, id__gt=since.answer).order_by("id")
    answer_id, a_helper, a_helped = _columns(
        answers.values_list("id", _or_none("author_id"), _or_none("question__author_id"))
        .iterator(chunk_size=CHUNK // 10),
        3,
    )
    reports = ValueReport.objects.filter(id__gt=since.value_report).order_by("id")
    # In an anonymous question's thread the one helped is usually the hidden asker: the
    # report's id is read (the cursor counts it) but its ends are not.
    anonymous = (
        Q(post__is_anonymous=True) | Q(post__question__is_anonymous=True)
        | Q(comment__post__is_anonymous=True) | Q(comment__post__question__is_anonymous=True)
    )
    report_id, v_helper, v_helped = _columns(
        reports.values_list(
            "id",
            Case(When(anonymous, then=Value(NONE)), default=_or_none("helper_id"),
                 output_field=IntegerField()),
            Case(When(anonymous, then=Value(NONE)), default=F("reporter_id"),
                 output_field=IntegerField()),
        )
        .iterator(chunk_size=CHUNK // 10),
        3,
    )
    kudos = Kudos.objects.filter(id__gt=since.kudos).order_by("id")
    kudos_id, k_helper, k_helped = _columns(
        kudos.values_list("id", "receiver_id", "giver_id").iterator(chunk_size=CHUNK // 10), 3
    )
    # An accepted answer is read with its answer: one written after the newest answer read here
    # waits for the next run, which reads the answer too.
    newest = int(answer_id.max()) if len(answer_id) else since.answer
    accepted = acceptances(answers_after=since.answer, answers_until=newest)
    c_helper, c_helped = accepted.helper, accepted.helped

    helper = np.concatenate([a_helper, c_helper, v_helper, k_helper])
    helped = np.concatenate([a_helped, c_helped, v_helped, k_helped])
    kinds = np.concatenate([
        np.full(len(a_helper), _CODE[HelpKind.ANSWER], dtype=np.int8),
        np.full(len(c_helper), _CODE[HelpKind.ACCEPTED_ANSWER], dtype=np.int8),
        np.full(len(v_helper), _CODE[HelpKind.VALUE_REPORT], dtype=np.int8),
        np.full(len(k_helper), _CODE[HelpKind.KUDOS], dtype=np.int8),
    ])
    keep = _kept(people, helper, helped)
    cursor = HelpCursor(
        answer=newest,
        value_report=int(report_id.max()) if len(report_id) else since.value_report,
        kudos=int(kudos_id.max()) if len(kudos_id) else since.kudos,
        audit=max(audit, since.audit),
        answers_read=since.answers_read + len(answer_id),
        value_reports_read=since.value_reports_read + len(report_id),
        kudos_read=since.kudos_read + len(kudos_id),
    )
    return HelpEdges(helper[keep], helped[keep], kinds[keep], people, cursor, accepted)


def acceptances(
    *, answers_after: int = 0, answers_until: int | None = None,
    questions: IntArray | None = None,
) -> Acceptances:
    """The acceptances of answers with ids in (answers_after, answers_until], or of the given
    questions, sorted by question."""
    accepted = Post.objects.filter(kind=Post.Kind.QUESTION, accepted_answer__isnull=False)
    if answers_after:
        accepted = accepted.filter(accepted_answer_id__gt=answers_after)
    if answers_until is not None:
        accepted = accepted.filter(accepted_answer_id__lte=answers_until)
    columns = ("id", "accepted_answer_id", _or_none("accepted_answer__author_id"),
               _or_none("author_id"))
    if questions is None:
        rows: Iterator[Sequence[int]] = (
            accepted.order_by("id").values_list(*columns).iterator(chunk_size=CHUNK // 10)
        )
        return Acceptances(*_columns(rows, 4))
    parts = [
        Acceptances(*_columns(iter(accepted.filter(id__in=chunk.tolist())
                                   .values_list(*columns)), 4))
        for chunk in np.array_split(questions, max(1, len(questions) // (CHUNK // 10) + 1))
    ]
    return Acceptances.join(*parts)


def acceptance_edges(accepted: Acceptances, people: People) -> HelpArrays:
    """The accepted-answer edges of these acceptances between counted people."""
    keep = _kept(people, accepted.helper, accepted.helped)
    weight = np.full(int(keep.sum()), HELP_WEIGHTS[HelpKind.ACCEPTED_ANSWER], dtype=np.float64)
    return HelpArrays(accepted.helper[keep], accepted.helped[keep], weight)


@dataclass(frozen=True)
class Changes:
    """What the audit log says happened after a cursor, besides new rows."""

    acceptance_changed: IntArray  # questions whose accepted answer was set or taken back
    removing: bool  # a withdrawal, an import or a demo generation: help may have gone


def changes_since(cursor: HelpCursor, until: HelpCursor) -> Changes:
    """Acceptances changed and help possibly removed between two cursors (only the audit
    entries' action and target are read: never who acted)."""
    entries = AuditEntry.objects.filter(id__gt=cursor.audit, id__lte=until.audit)
    changed = np.unique(
        np.fromiter(
            entries.filter(action="accept_answer", target_id__isnull=False)
            .values_list("target_id", flat=True)
            .iterator(chunk_size=CHUNK // 10),
            dtype=np.int64,
        )
    )
    removing = entries.filter(action__in=REMOVING_ACTIONS).exists()
    return Changes(changed, removing)


def rows_at_or_below(cursor: HelpCursor) -> tuple[int, int, int]:
    """How many answers, value reports and kudos exist now at or below the cursor's ids: fewer
    than were read means something was deleted, more that a write committed out of order."""
    return (
        Post.objects.filter(kind=Post.Kind.ANSWER, id__lte=cursor.answer).count(),
        ValueReport.objects.filter(id__lte=cursor.value_report).count(),
        Kudos.objects.filter(id__lte=cursor.kudos).count(),
    )
