"""How Waggle talks to its database."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper


@pytest.mark.skipif(connection.vendor != "sqlite",
                    reason="PRAGMAs are SQLite's: Waggle sets nothing of the kind on PostgreSQL "
                           "connections")
def test_sqlite_reads_through_memory_mapped_io_and_a_large_page_cache(
    db: Any, tmp_path: Path
) -> None:
    # The suite's SQLite database lives in memory, where none of this applies: a connection
    # with the same settings to a file, as `waggle serve` opens.
    settings = copy.deepcopy(connection.settings_dict)
    settings["NAME"] = str(tmp_path / "waggle.sqlite3")
    wrapper = DatabaseWrapper(settings)
    try:
        with wrapper.cursor() as cursor:
            answers = {}
            for pragma in ("journal_mode", "mmap_size", "cache_size"):
                cursor.execute(f"PRAGMA {pragma}")
                answers[pragma] = cursor.fetchone()[0]
    finally:
        wrapper.close()
    assert answers["journal_mode"] == "wal"
    assert answers["cache_size"] == -65536  # KiB: 64 MiB
    # 2 GiB asked for; SQLite maps at most its SQLITE_MAX_MMAP_SIZE (2 GiB less 64 KiB in
    # the usual builds); one built without memory-mapped I/O says 0.
    assert 2**30 < answers["mmap_size"] <= 2**31
