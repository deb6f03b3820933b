"""Runs an import: streams a source's units into batches, writes each batch through
`do_import_batch`, shows progress, resumes an interrupted run and sums up what happened."""

from __future__ import annotations

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from tqdm import tqdm

from waggle.core.markdown import render_markdown
from waggle.harvest.actions import do_end_import_run, do_import_batch, do_start_import_run
from waggle.harvest.models import ImportRun
from waggle.harvest.records import CommentRecord, HarvestError, PostRecord, Unit, placeholders
from waggle.harvest.sources import Source
from waggle.spaces.models import Space

KINDS = ("person", "space", "question", "answer", "update", "comment", "link", "value report")


@dataclass
class ImportSummary:
    """What one `run_import` call did (a resumed run counts only what this call wrote)."""

    run: ImportRun
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    units: int = 0
    resumed_after: int = 0
    seconds: float = 0.0

    def lines(self) -> list[str]:
        rate = self.units / self.seconds if self.seconds else 0.0
        head = (
            f"{self.run.source} archive {self.run.namespace!r}: {self.units:,} units in "
            f"{self.seconds:.1f} s ({rate:,.0f}/s)"
        )
        if self.resumed_after:
            head += f", resumed after unit {self.resumed_after:,}"
        out = [head, f"  {'':14}{'created':>10}{'updated':>10}{'unchanged':>11}"]
        for kind in KINDS:
            row = (self.created[kind], self.updated[kind], self.unchanged[kind])
            if any(row):
                out.append(f"  {kind:14}{row[0]:>10,}{row[1]:>10,}{row[2]:>11,}")
        if self.skipped:
            out.append("  skipped:")
            for reason, n in sorted(self.skipped.items(), key=lambda kv: (-kv[1], kv[0])):
                out.append(f"    {reason:40}{n:>8,}")
        else:
            out.append("  skipped: nothing")
        out.append("  errors: none")
        return out


def run_import(
    source: Source,
    *,
    batch_records: int = 1000,
    progress: bool = False,
    restart: bool = False,
    visibility: str = Space.Visibility.OPEN,
    description: str = "",
    acting_user: Any = None,
    stream: TextIO | None = None,
    read_ahead: bool | None = None,
) -> ImportSummary:
    """Import `source`. Raises HarvestError (naming the file and position) when the archive
    cannot be read or a batch cannot be written; every batch before it stays written and
    the next call resumes after it.

    With `read_ahead` (the default on a machine with more than one CPU) a second process
    reads and converts the archive while this one writes: reading (HTML to markdown, markup,
    threading, quote stripping) costs about as much as writing, so the two overlap."""
    source.check()
    if read_ahead is None:
        read_ahead = (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()
    run = None if restart else _unfinished_run(source)
    resumed_after = run.units_done if run is not None else 0
    if run is None:
        run = do_start_import_run(
            source.kind, source.namespace, description=description, acting_user=acting_user
        )
    summary = ImportSummary(run=run, resumed_after=resumed_after)
    started = time.perf_counter()
    bar = tqdm(
        total=source.estimate(), unit=" units", desc=f"{source.kind} {source.namespace}",
        disable=not progress, file=stream, mininterval=0.5, dynamic_ncols=True,
    )
    pending: list[Unit] = []
    pending_records = 0
    seen = 0

    def flush() -> None:
        nonlocal pending, pending_records
        if not pending:
            return
        try:
            result = do_import_batch(
                run, pending, units_done=seen, acting_user=acting_user, visibility=visibility
            )
        except HarvestError:
            raise
        except Exception as exc:
            raise HarvestError(
                pending[0].where, "",
                f"could not write the batch that ends at {pending[-1].where}: {exc}",
            ) from exc
        for name in ("created", "updated", "unchanged", "skipped"):
            getattr(summary, name).update(getattr(result, name))
        summary.units += len(pending)
        pending, pending_records = [], 0
        bar.set_postfix(
            created=sum(summary.created.values()), skipped=sum(summary.skipped.values()),
            refresh=False,
        )

    try:
        for unit in _read_ahead(source) if read_ahead else source.units():
            seen += 1
            if seen <= resumed_after:
                bar.update(1)
                continue
            pending.append(unit)
            pending_records += max(1, len(unit.records))
            if pending_records >= batch_records:
                flush()
            bar.update(1)
        flush()
    except HarvestError as exc:
        do_end_import_run(run, ImportRun.Status.FAILED, error=str(exc), acting_user=acting_user)
        raise
    except KeyboardInterrupt:
        do_end_import_run(run, ImportRun.Status.INTERRUPTED, acting_user=acting_user)
        raise
    finally:
        bar.close()
    do_end_import_run(run, ImportRun.Status.FINISHED, acting_user=acting_user)
    summary.seconds = time.perf_counter() - started
    return summary


def _unfinished_run(source: Source) -> ImportRun | None:
    """The latest run of this archive if it did not finish (it is resumed), else None."""
    latest = (
        ImportRun.objects.filter(source=source.kind, namespace=source.namespace)
        .order_by("-started_at", "-pk").first()
    )
    if latest is None or latest.status == ImportRun.Status.FINISHED:
        return None
    return latest


_CHUNK = 200  # units per message between the processes: big enough to amortize pickling


def _read_ahead(source: Source) -> Iterator[Unit]:
    """`source.units()`, read by a forked child process a few chunks ahead of the writer.

    The child never touches the database; it leaves through os._exit (multiprocessing's
    fork start), so the database connection it inherited is never closed or used by it."""
    ctx = multiprocessing.get_context("fork")
    queue: Any = ctx.Queue(maxsize=8)
    reader = ctx.Process(target=_read_into, args=(source, queue), daemon=True)
    reader.start()
    try:
        while True:
            kind, payload = queue.get()
            if kind == "units":
                yield from payload
            elif kind == "error":
                raise HarvestError(*payload)
            elif kind == "interrupt":
                raise KeyboardInterrupt
            elif kind == "crash":
                raise RuntimeError(f"the archive reader failed: {payload}")
            else:
                return
    finally:
        if reader.is_alive():
            reader.terminate()
        reader.join()


def _read_into(source: Source, queue: Any) -> None:
    chunk: list[Unit] = []
    try:
        for unit in source.units():
            chunk.append(_prerendered(unit))
            if len(chunk) >= _CHUNK:
                queue.put(("units", chunk))
                chunk = []
        queue.put(("units", chunk))
        queue.put(("done", None))
    except HarvestError as exc:
        # The units read before the problem are whole: the writer may still commit them.
        queue.put(("units", chunk))
        queue.put(("error", (exc.path, exc.position, exc.problem)))
    except KeyboardInterrupt:
        queue.put(("units", chunk))
        queue.put(("interrupt", None))
    except BaseException as exc:  # noqa: BLE001 - whatever stops the reader must reach the writer
        queue.put(("crash", f"{type(exc).__name__}: {exc}"))


def _prerendered(unit: Unit) -> Unit:
    """Render the markdown of bodies that need nothing from the database (no placeholders),
    so the reader process carries that work instead of the writer."""
    for i, record in enumerate(unit.records):
        if isinstance(record, PostRecord | CommentRecord) and not placeholders(record.body):
            unit.records[i] = replace(record, html=render_markdown(record.body))
    return unit
