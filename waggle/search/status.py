"""What an administrator needs to know about search: which engine answers, whether the index
is in step with the posts, and whether semantic ranking is installed. Counts only."""

from __future__ import annotations

from dataclasses import dataclass

from waggle.exchange.models import Comment, Post
from waggle.search import semantic
from waggle.search.models import SearchEntry
from waggle.search.query import engine_name


@dataclass(frozen=True)
class SearchStatus:
    engine: str
    entries: int
    expected: int  # one entry per post and per comment
    semantic_installed: bool

    @property
    def missing(self) -> int:
        return max(0, self.expected - self.entries)

    @property
    def in_step(self) -> bool:
        return self.entries == self.expected

    @property
    def ranking(self) -> str:
        if not self.semantic_installed:
            return (f"Lexical only: {semantic.MISSING}. Install it with "
                    f"`{semantic.INSTALL}` to evaluate semantic and hybrid ranking.")
        return ("Lexical. The semantic extra is installed (`waggle search eval` measures "
                "semantic and hybrid ranking); the search page does not use it yet.")


def search_status() -> SearchStatus:
    return SearchStatus(
        engine=engine_name(), entries=SearchEntry.objects.count(),
        expected=Post.objects.count() + Comment.objects.count(),
        semantic_installed=semantic.available(),
    )
