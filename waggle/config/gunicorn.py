"""gunicorn settings for `waggle serve` (`--config python:waggle.config.gunicorn`)."""

from __future__ import annotations

import os
import threading
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Each worker loads the sentence model and the thread vectors in the background as it
    starts, so the first search does not wait for them (about 5 s).

    A worker encodes one short query at a time, beside the database finding the words'
    matches (`hybrid.encoding`): on one thread, so the two share the cores instead of three
    threads sharing two (hybrid search p95 at 1,000,000 posts on 2 CPUs: 81-98 ms on one
    thread, 110-115 ms on two; bench/RESULTS.md). WAGGLE_EMBEDDING_THREADS still decides."""
    os.environ.setdefault("WAGGLE_EMBEDDING_THREADS", "1")
    from waggle.search import hybrid

    threading.Thread(target=hybrid.warm_up, name="waggle-warm-up", daemon=True).start()
