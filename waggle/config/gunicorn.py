"""gunicorn settings for `waggle serve` (`--config python:waggle.config.gunicorn`)."""

from __future__ import annotations

import threading
from typing import Any


def post_worker_init(worker: Any) -> None:
    """Each worker loads the sentence model and the thread vectors in the background as it
    starts, so the first search does not wait for them (about 5 s)."""
    from waggle.search import hybrid

    threading.Thread(target=hybrid.warm_up, name="waggle-warm-up", daemon=True).start()
