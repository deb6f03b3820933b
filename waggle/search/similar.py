""""Has this been asked?": the existing questions closest to what a person is typing.

Any word of the draft may match (ranked, not required), the last word may be unfinished, and
the common words of a question ("how do I ...") are left out so they neither match everything
nor slow the query down. A question is found by its own words and by those of its answers and
comments: a thread scores as its best-matching entry (measured in `ranking.py`). Of the closest
questions, answered ones come first. Only questions the person may see are considered (the gate
is inside the query, as for every search).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from waggle.exchange.models import Post
from waggle.search import hybrid
from waggle.search.language import ParsedQuery, any_of, parse_query
from waggle.search.query import SearchFilters, best_matches, matching, visible_entries
from waggle.spaces.access import visible_spaces

# Words that carry no topic in a question. Short on purpose: the ranking (bm25, ts_rank)
# already weighs common words down; this list only keeps the draft's filler out of the query.
FILLER = frozenset("""
a an and any are as at be been but by can could did do does doing for from had has have how
i if in into is it its me my no not of on or our should so some than that the their them then
there these this to us was we were what when where which who why will with would you your
anyone anybody someone somebody know please thanks hi hello help need want get got way best
""".split())
CONSIDERED = 20  # the closest this many are reordered (answered first), then cut to `limit`
RELEVANT_SHARE = 0.5  # ... of those scoring at least this share of the best score
# ... or, ranked by words and meaning (`ranking.fuse`: 0..1 over the candidates), within this
# much of the best: about what one standard deviation of the earlier z-scores kept.
RELEVANT_GAP = 0.2
#: Entries read to find the CONSIDERED best threads (a question's answers and comments match too).
ENTRIES_READ = 3 * CONSIDERED


@dataclass
class SimilarQuestion:
    question: Post
    score: float

    @property
    def answered(self) -> bool:
        return self.question.answer_count > 0


def draft_query(text: str) -> ParsedQuery:
    """The words of a draft that say what it is about, any of them enough. Filler words are
    left out, and so is an unfinished last word shorter than three letters (as a prefix it
    would match half the dictionary)."""
    parsed = any_of(parse_query(text, prefix_last=True))
    alternatives = parsed.groups[0] if parsed.groups else ()
    kept = [a for a in alternatives if len(a) > 1 or a[0] not in FILLER]
    unfinished = parsed.prefix_last and bool(kept) and kept[-1] == alternatives[-1]
    if unfinished and len(kept[-1]) == 1 and len(kept[-1][0]) < 3:
        kept.pop()
        unfinished = False
    return ParsedQuery(groups=(tuple(kept),) if kept else (), excluded=(),
                       prefix_last=unfinished)


def similar_questions(user: Any, text: str, *, limit: int = 5,
                      exclude: int | None = None) -> list[SimilarQuestion]:
    """Up to `limit` questions `user` may see that are closest to `text`, answered first.
    With semantic ranking on, closest by words and meaning (`hybrid.py`): a question that
    says the same in other words is found too."""
    query = draft_query(text)
    index = hybrid.ready()
    if query.is_empty and index is None:
        return []
    encoded = hybrid.encoding(text) if index is not None else None  # beside the database
    # Every entry of a question's thread: the question, its answers, their comments.
    entries = matching(user, query).filter(thread__kind=Post.Kind.QUESTION)
    if exclude is not None:
        entries = entries.exclude(thread_id=exclude)
    # Ranked like a search: over the newest matches when a draft's words are everywhere.
    matches = [] if query.is_empty else best_matches(
        entries, query, size=ENTRIES_READ, fields=("id", "thread_id"))
    best_entry: dict[int, tuple[int, float]] = {}  # thread: its best-matching entry, score
    for e in matches:  # best first
        best_entry.setdefault(e.thread_id, (e.pk, float(getattr(e, "score", 0.0))))
    lexical = [(pk, thread, score) for thread, (pk, score) in best_entry.items()][:CONSIDERED]
    if index is None:
        rows = [(thread, score) for _, thread, score in lexical]
    else:
        gated = SearchFilters(kinds=[Post.Kind.QUESTION]).apply(visible_entries(user))
        if exclude is not None:
            gated = gated.exclude(post_id=exclude)
        fused = hybrid.hybrid_rows(
            index, text, lexical, gated,
            visible_space_ids=list(visible_spaces(user).values_list("id", flat=True)),
            kinds=[Post.Kind.QUESTION], candidates=CONSIDERED, encoded=encoded,
        )
        rows = [(fused.threads[pk], score) for pk, score in fused.rows[:CONSIDERED]]
    best = max((score for _, score in rows), default=0.0)  # higher is better, both ways
    closest = RELEVANT_SHARE * best if index is None else best - RELEVANT_GAP
    posts = Post.objects.select_related("space").in_bulk([pk for pk, _ in rows])
    found = [SimilarQuestion(posts[pk], score) for pk, score in rows
             if pk in posts and score >= closest]
    found.sort(key=lambda s: (not s.answered, -s.score))  # answered first, among the closest
    return found[:limit]
