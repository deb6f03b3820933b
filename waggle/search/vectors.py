"""The thread vectors in memory, for finding the threads nearest a query by meaning.

Each process keeps one `VectorIndex`, built from the `ThreadEmbedding` rows and kept current
by reading only the rows that changed since it last looked (at most every
WAGGLE_VECTOR_REFRESH_SECONDS). It has two parts:

- an exact part: a numpy matrix searched by one matrix product. A small installation has
  only this part (below WAGGLE_VECTOR_APPROXIMATE_FROM vectors: 50,000 take about 4 ms);
- an approximate part for large installations: an HNSW graph (usearch) built from the stored
  vectors by `waggle search embed` or the embedding task (`rebuild_approximate_if_due`),
  saved under VAR_DIR and memory-mapped by every process. Rows that changed after it was built
  live in the exact part, which then wins over the graph for those threads. Beside the graph
  the same vectors are saved as one float16 matrix in thread order, also memory-mapped: the
  cosines of a search's ~2,000 lexical matches are then one indexed product (usearch hands
  its vectors out one array per key: 7 ms for 2,000).

Vectors are found for threads in the spaces the caller says the viewer may see; the database
still decides what is shown (`hybrid.py` asks the gate for every candidate), so a vector of a
thread that was deleted or moved since is harmless.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import threading
import time
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils import timezone

from waggle.search import embeddings
from waggle.search.models import ThreadEmbedding
from waggle.search.semantic import DIMENSION

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

log = logging.getLogger(__name__)

#: Rows written this long before a read may still commit after it (a transaction's rows carry
#: the time they were written, not when they committed), so each refresh reads back this far
#: before the previous read began, and skips what it already has.
SLACK = dt.timedelta(minutes=2)
KIND_CODES = {"question": 0, "update": 1, "lesson": 2}
#: HNSW settings: 16 links per node and 64 candidates while building gave recall@100 0.95 on
#: clustered 384-dimensional vectors (200,000 in 37 s on 2 cores); 128 while searching.
CONNECTIVITY, EXPANSION_ADD, EXPANSION_SEARCH = 16, 64, 128
#: The approximate part is rebuilt when the exact part holds more than this share of it.
REBUILD_SHARE = 0.1


def approximate_from() -> int:
    return int(getattr(settings, "WAGGLE_VECTOR_APPROXIMATE_FROM", 50_000))


def directory() -> Path:
    return Path(getattr(settings, "WAGGLE_VECTOR_DIR", Path(settings.VAR_DIR) / "vectors"))


@dataclass(frozen=True)
class Neighbour:
    thread_id: int
    cosine: float


class _Exact:
    """Vectors in a growable numpy matrix, with each thread's row."""

    def __init__(self) -> None:
        import numpy as np

        self.matrix = np.zeros((1024, DIMENSION), dtype=np.float32)
        self.ids = np.zeros(1024, dtype=np.int64)
        self.spaces = np.zeros(1024, dtype=np.int64)
        self.kinds = np.zeros(1024, dtype=np.int8)
        self.row: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self.row)

    def put(self, thread_id: int, space_id: int, kind: str, vector: npt.NDArray[Any]) -> None:
        import numpy as np

        at = self.row.get(thread_id)
        if at is None:
            at = len(self.row)
            if at == len(self.ids):  # grow by doubling: adding stays cheap on average
                self.matrix = np.concatenate([self.matrix, np.zeros_like(self.matrix)])
                self.ids = np.concatenate([self.ids, np.zeros_like(self.ids)])
                self.spaces = np.concatenate([self.spaces, np.zeros_like(self.spaces)])
                self.kinds = np.concatenate([self.kinds, np.zeros_like(self.kinds)])
            self.row[thread_id] = at
            self.ids[at] = thread_id
        self.matrix[at] = vector
        self.spaces[at] = space_id
        self.kinds[at] = KIND_CODES.get(kind, 0)


class _Approximate:
    """A saved HNSW graph (memory-mapped) with the thread, space and kind of each key."""

    def __init__(self, path: Path, meta: dict[str, Any]) -> None:
        import numpy as np
        from usearch.index import Index

        index = Index.restore(str(path.with_suffix(".usearch")), view=True)
        if index is None:
            raise ValueError(f"{path}.usearch is not a usearch index")
        self.index: Any = index
        arrays = np.load(path.with_suffix(".npz"))
        self.ids, self.spaces, self.kinds = arrays["ids"], arrays["spaces"], arrays["kinds"]
        # Row i is the vector of ids[i]. A graph saved before the matrix was: read from it.
        matrix = _matrix_path(path)
        self.vectors: npt.NDArray[np.float16] | None = (
            np.load(matrix, mmap_mode="r") if matrix.exists() else None)
        self.written = arrays["written"]  # each vector's updated_at, in microseconds
        self.watermark = dt.datetime.fromisoformat(meta["watermark"])
        self.stamp = meta["stamp"]

    def __len__(self) -> int:
        return len(self.ids)

    def holds(self, thread_id: int, updated_at: dt.datetime) -> bool:
        """Whether the graph has this very row (same thread, written at the same time)."""
        import numpy as np

        at = int(np.searchsorted(self.ids, thread_id))
        return (at < len(self.ids) and int(self.ids[at]) == thread_id
                and int(self.written[at]) == _microseconds(updated_at))

    def where(self, keys: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        """Positions of `keys` in `ids` (which is sorted); keys must be present."""
        import numpy as np

        return np.searchsorted(self.ids, keys)


class VectorIndex:
    """The vectors of one model, searchable by cosine (see the module's docstring)."""

    def __init__(self, model: str = embeddings.MODEL_NAME) -> None:
        self.model = model
        self.exact = _Exact()
        self.approximate: _Approximate | None = None
        self.read_from: dt.datetime | None = None  # the next refresh reads rows written after
        self.recent: dict[int, dt.datetime] = {}  # rows read that were written after read_from
        self.checked_at = 0.0
        self.lock = threading.Lock()

    def __len__(self) -> int:
        approximate = len(self.approximate) if self.approximate else 0
        return approximate + len(self.exact)

    # --- keeping current ----------------------------------------------------------------------

    def refresh(self, force: bool = False) -> None:
        """Read the rows that changed since the last look (all of them the first time), and
        switch to a newer approximate part if one was saved."""
        interval = float(getattr(settings, "WAGGLE_VECTOR_REFRESH_SECONDS", 2.0))
        if not force and time.monotonic() - self.checked_at < interval:
            return
        with self.lock:
            self.checked_at = time.monotonic()
            saved = _saved_meta(self.model)
            current = self.approximate.stamp if self.approximate else None
            if saved and saved["stamp"] != current:
                self._load_approximate(saved)
            elif not saved and self.approximate is not None:  # removed: start over exact
                self._reset()
            self._read_changes()

    def _reset(self) -> None:
        self.exact, self.approximate, self.read_from, self.recent = _Exact(), None, None, {}

    def _load_approximate(self, meta: dict[str, Any]) -> None:
        try:
            approximate = _Approximate(directory() / meta["stamp"], meta)
        except (OSError, ValueError, KeyError) as error:
            log.warning("vector index %s unreadable (%s); searching exactly", meta, error)
            return
        self._reset()
        self.approximate = approximate
        # What was written after its build began goes to the exact part.
        self.read_from = approximate.watermark - SLACK

    def _read_changes(self) -> None:
        """Read the rows written since `read_from` into the exact part. The next read starts
        SLACK before this one began: reading back from the newest row seen instead would read
        a burst of writes (an import, `waggle search embed`) again at every refresh until
        something newer is written. Rows already held are recognised by their keys and write
        times (through the index on `updated_at`) before any vector is read."""
        import numpy as np

        started = timezone.now()
        rows = ThreadEmbedding.objects.filter(model=self.model)
        if self.read_from is None:
            found = _chunked(rows)
        else:
            written = rows.filter(updated_at__gt=self.read_from).values_list(
                "thread_id", "updated_at")
            found = _by_id(rows, [pk for pk, at in written if not self._holds(pk, at)])
        for thread_id, space_id, kind, vector, updated_at in found:
            if self._holds(thread_id, updated_at):
                continue
            self.exact.put(thread_id, space_id, kind, np.frombuffer(vector, dtype=np.float32))
            self.recent[thread_id] = updated_at
        self.read_from = started - SLACK
        self.recent = {k: v for k, v in self.recent.items() if v > self.read_from}

    def _holds(self, thread_id: int, updated_at: dt.datetime) -> bool:
        """Whether this version of the thread's vector is already here."""
        return self.recent.get(thread_id) == updated_at or (
            self.approximate is not None and self.approximate.holds(thread_id, updated_at))

    # --- searching ----------------------------------------------------------------------------

    def nearest(self, vector: npt.NDArray[np.float32], k: int, *,
                spaces: Collection[int] | None = None, kinds: Collection[str] | None = None,
                min_cosine: float = -1.0) -> list[Neighbour]:
        """The `k` threads nearest `vector` (best first) among those in `spaces` (None: any)
        of `kinds` (None: any), with at least `min_cosine`."""
        import numpy as np

        found: dict[int, float] = {}
        exact = self.exact
        n = len(exact)
        if n:
            mask = np.ones(n, dtype=bool)
            if spaces is not None:
                mask &= np.isin(exact.spaces[:n], np.fromiter(spaces, dtype=np.int64))
            if kinds is not None:
                mask &= np.isin(exact.kinds[:n], [KIND_CODES[kind] for kind in kinds])
            rows = np.flatnonzero(mask)
            if len(rows):
                cosines = exact.matrix[rows] @ vector
                best = rows[np.argsort(-cosines)[:k]] if len(rows) <= k else rows[
                    np.argpartition(-cosines, k)[:k]]
                for at in best:
                    found[int(exact.ids[at])] = float(exact.matrix[at] @ vector)
        if self.approximate is not None:
            for thread_id, cosine in self._approximate_nearest(vector, k, spaces, kinds):
                if thread_id not in exact.row:  # a thread that changed since: exact wins
                    found[thread_id] = cosine
        ranked = sorted(found.items(), key=lambda item: -item[1])
        return [Neighbour(pk, cos) for pk, cos in ranked[:k] if cos >= min_cosine]

    def _approximate_nearest(self, vector: npt.NDArray[np.float32], k: int,
                             spaces: Collection[int] | None, kinds: Collection[str] | None
                             ) -> Iterator[tuple[int, float]]:
        """The graph cannot filter while it searches, so it is asked for more than `k` and
        what the viewer may not see is dropped; a viewer who sees little gets a second, wider
        search."""
        import numpy as np

        approximate = self.approximate
        assert approximate is not None
        space_set = np.fromiter(spaces, dtype=np.int64) if spaces is not None else None
        kind_set = [KIND_CODES[kind] for kind in kinds] if kinds is not None else None
        wanted = k
        for oversample in (4, 32):
            count = min(len(approximate), k * oversample)
            matches = approximate.index.search(vector, count, exact=False)
            keys = np.asarray(matches.keys, dtype=np.int64)
            cosines = 1.0 - np.asarray(matches.distances, dtype=np.float32)
            at = approximate.where(keys)
            keep = np.ones(len(keys), dtype=bool)
            if space_set is not None:
                keep &= np.isin(approximate.spaces[at], space_set)
            if kind_set is not None:
                keep &= np.isin(approximate.kinds[at], kind_set)
            if keep.sum() >= wanted or count == len(approximate):
                break
        for key, cosine in zip(keys[keep][:k], cosines[keep][:k], strict=True):
            yield int(key), float(cosine)

    def cosines(self, vector: npt.NDArray[np.float32], thread_ids: Iterable[int]
                ) -> dict[int, float]:
        """The cosine of `vector` with each of these threads that has a vector."""
        import numpy as np

        scores: dict[int, float] = {}
        in_graph: list[int] = []
        for pk in set(thread_ids):
            at = self.exact.row.get(pk)
            if at is not None:
                scores[pk] = float(self.exact.matrix[at] @ vector)
            else:
                in_graph.append(pk)
        approximate = self.approximate
        if approximate is not None and in_graph:
            keys = np.sort(np.asarray(in_graph, dtype=np.int64))  # sorted: the lookups go in order
            where = np.minimum(approximate.where(keys), len(approximate) - 1)
            found_at = approximate.ids[where] == keys
            present = keys[found_at]
            if len(present):
                stored = (approximate.vectors[where[found_at]].astype(np.float32)
                          if approximate.vectors is not None
                          else np.vstack(approximate.index.get(present)).astype(np.float32))
                scores.update(zip(present.tolist(), (stored @ vector).tolist(), strict=True))
        return scores


def _chunked(rows: Any, size: int = 5000) -> Iterator[tuple[int, int, str, bytes, dt.datetime]]:
    """The rows' (thread, space, kind, vector, updated_at), read by primary key in chunks so a
    million vectors never sit in one result set."""
    last = 0
    while True:
        chunk = list(rows.filter(thread_id__gt=last).order_by("thread_id").values_list(
            "thread_id", "space_id", "kind", "vector", "updated_at")[:size])
        if not chunk:
            return
        for thread_id, space_id, kind, vector, updated_at in chunk:
            yield thread_id, space_id, kind, bytes(vector), updated_at
        last = chunk[-1][0]


def _microseconds(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


# --- the approximate part on disk -----------------------------------------------------------

def _matrix_path(graph: Path) -> Path:
    """The float16 matrix saved beside the graph `graph` (its path without a suffix)."""
    return graph.parent / f"{graph.name}.f16.npy"


def _meta_path(model: str) -> Path:
    return directory() / f"{model}.json"


def _saved_meta(model: str) -> dict[str, Any] | None:
    try:
        meta = json.loads(_meta_path(model).read_text())
    except (OSError, ValueError):
        return None
    return meta if isinstance(meta, dict) and "stamp" in meta else None


def build_approximate(model: str = embeddings.MODEL_NAME) -> dict[str, Any]:
    """Build the HNSW graph of every stored vector of `model` and save it; processes switch to
    it at their next refresh. Returns what was saved (also in `{model}.json`)."""
    import numpy as np
    from usearch.index import Index

    started = timezone.now()  # rows written after this go to each process's exact part
    graph = Index(ndim=DIMENSION, metric="cos", dtype="f16", connectivity=CONNECTIVITY,
                  expansion_add=EXPANSION_ADD, expansion_search=EXPANSION_SEARCH)
    ids: list[int] = []
    spaces: list[int] = []
    kinds: list[int] = []
    written: list[int] = []
    batch_keys: list[int] = []
    batch: list[npt.NDArray[np.float32]] = []
    matrix: list[npt.NDArray[np.float16]] = []

    def flush() -> None:
        if batch_keys:
            stacked = np.stack(batch)
            matrix.append(stacked.astype(np.float16))
            graph.add(np.asarray(batch_keys, dtype=np.int64), stacked,
                      threads=os.cpu_count() or 1)
            batch_keys.clear()
            batch.clear()

    for thread_id, space_id, kind, vector, updated_at in _chunked(
            ThreadEmbedding.objects.filter(model=model)):
        ids.append(thread_id)
        written.append(_microseconds(updated_at))
        spaces.append(space_id)
        kinds.append(KIND_CODES.get(kind, 0))
        batch_keys.append(thread_id)
        batch.append(np.frombuffer(vector, dtype=np.float32))
        if len(batch_keys) >= 20_000:
            flush()
    flush()
    folder = directory()
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{model}-{started.strftime('%Y%m%dT%H%M%S%f')}"
    graph.save(str(folder / f"{stamp}.usearch"))
    np.save(_matrix_path(folder / stamp), np.concatenate(matrix) if matrix
            else np.zeros((0, DIMENSION), dtype=np.float16))
    np.savez(folder / f"{stamp}.npz", ids=np.asarray(ids, dtype=np.int64),
             spaces=np.asarray(spaces, dtype=np.int64), kinds=np.asarray(kinds, dtype=np.int8),
             written=np.asarray(written, dtype=np.int64))
    meta = {"stamp": stamp, "model": model, "vectors": len(ids),
            "watermark": started.isoformat(), "built_at": timezone.now().isoformat()}
    pending = _meta_path(model).with_suffix(".json.tmp")
    pending.write_text(json.dumps(meta))
    pending.replace(_meta_path(model))  # the switch: readers see the old or the new, whole
    for old in folder.glob(f"{model}-*"):
        if not old.name.startswith(stamp):
            old.unlink(missing_ok=True)  # a process still mapping it keeps its pages
    return meta


def remove_approximate(model: str = embeddings.MODEL_NAME) -> None:
    _meta_path(model).unlink(missing_ok=True)


def rebuild_approximate_if_due(model: str = embeddings.MODEL_NAME) -> bool:
    """Build (or rebuild) the approximate part when there are enough vectors for it and it is
    missing or more than REBUILD_SHARE of the vectors changed since it was built; drop it when
    the vectors fell below the threshold. Returns whether it was built."""
    total = ThreadEmbedding.objects.filter(model=model).count()
    meta = _saved_meta(model)
    if total < approximate_from():
        if meta:
            remove_approximate(model)
        return False
    if meta:
        changed = ThreadEmbedding.objects.filter(
            model=model, updated_at__gt=dt.datetime.fromisoformat(meta["watermark"])).count()
        if changed <= REBUILD_SHARE * max(1, meta["vectors"]):
            return False
    build_approximate(model)
    return True


def approximate_status(model: str = embeddings.MODEL_NAME) -> dict[str, Any] | None:
    """What the saved approximate part holds, or None when there is none."""
    return _saved_meta(model)


def _by_id(rows: Any, ids: list[int], size: int = 1000
           ) -> Iterator[tuple[int, int, str, bytes, dt.datetime]]:
    """The rows of these threads, as `_chunked` gives them, `size` ids per statement."""
    for start in range(0, len(ids), size):
        for thread_id, space_id, kind, vector, updated_at in rows.filter(
                thread_id__in=ids[start:start + size]).values_list(
                "thread_id", "space_id", "kind", "vector", "updated_at"):
            yield thread_id, space_id, kind, bytes(vector), updated_at


# --- the process's index -------------------------------------------------------------------

_current: VectorIndex | None = None
_current_lock = threading.Lock()


def current() -> VectorIndex:
    """This process's index, refreshed if it is time."""
    global _current
    with _current_lock:
        if _current is None:
            _current = VectorIndex()
    _current.refresh()
    return _current


def forget() -> None:
    """Drop this process's index (tests, and after the vectors were deleted wholesale)."""
    global _current
    with _current_lock:
        _current = None
