"""Archive readers. Each turns one archive format into a stream of `Unit`s of records.

A source is built from command-line arguments, checks the layout before anything is
written (`check`), then yields units in a deterministic order (the runner resumes an
interrupted import by skipping the units an earlier run already committed).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Protocol

from waggle.harvest.records import HarvestError, Unit


class Source(Protocol):
    #: Short name stored as the provenance `source` of every object ("stackexchange", ...).
    kind: str
    #: Identity of this archive (a site, a workspace, a list): prefixes every external id,
    #: so two archives of the same kind never collide and a re-run finds its own objects.
    namespace: str

    def check(self) -> None:
        """Raise HarvestError if a required file is missing or the layout is unknown."""

    def estimate(self) -> int | None:
        """About how many units `units()` will yield (for the progress bar), or None."""

    def units(self) -> Iterator[Unit]:
        """The archive as units, streamed with bounded memory, in a repeatable order."""


KINDS = ("stackexchange", "slack", "mbox")


def open_source(kind: str, paths: Sequence[str | Path], *, space: str | None = None) -> Source:
    """The reader for `kind` over `paths` (imports only the reader that is needed)."""
    if kind == "stackexchange":
        from waggle.harvest.sources.stackexchange import StackExchangeSource

        return StackExchangeSource(Path(paths[0]), space_name=space)
    if kind == "slack":
        from waggle.harvest.sources.slack import SlackSource

        return SlackSource(Path(paths[0]))
    if kind == "mbox":
        from waggle.harvest.sources.mbox import MboxSource

        return MboxSource([Path(p) for p in paths])
    raise HarvestError(kind, "", f"unknown archive kind; use one of {', '.join(KINDS)}")
