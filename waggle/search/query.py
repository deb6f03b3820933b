"""Search over everything a person may see: the query language, filters, ranking and snippets.

The visibility gate is part of the SQL that matches and scores (`newest_matches`), so every
count and page is right for the viewer (nothing is filtered out after the database answered).
The engine is the database's own: SQLite FTS5 (bm25) or PostgreSQL full text (tsvector,
ts_rank_cd).

The query language is in `language.py`.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, QuerySet
from django.utils.safestring import SafeString, mark_safe

from waggle.core.planner import planner_settings
from waggle.exchange.models import Post
from waggle.search import hybrid
from waggle.search.language import (
    TITLE_WEIGHT,
    ParsedQuery,
    fts5_expression,
    parse_query,
    tsquery_text,
)
from waggle.search.models import SearchEntry
from waggle.spaces.access import visible_spaces

# Ranking and counting stop at this many matches (the newest); see `search`.
WINDOW = 2000
# PostgreSQL (`_newest_postgres`): a word with at least SPARSE matches is found by walking the
# primary key; a rarer one in slices of the newest entries, SLICE_MARGIN times as wide as its
# frequency says should hold the window, at most SLICES of them, read as bitmaps for a word of
# BITMAP matches or more; the rest are read from the GIN index and sorted once a slice's
# primary-key range would cost more than the matches it spares reading (KEYS_PER_MATCH keys in
# a bitmap cost about as much as one match read from the table's pages in the OS cache).
# Chosen by measurement: bench/RESULTS.md, "the newest window in one statement" and
# "PostgreSQL's slices as bitmaps".
SPARSE = 50_000
BITMAP = 25_000
SLICE_MARGIN = 1.5
SLICES = 3
KEYS_PER_MATCH = 150
_TABLE = "search_searchentry"
# Markers the engines put around matched words; replaced by <mark> after escaping the text.
START, STOP = "\x02", "\x03"


# --- filters and results ----------------------------------------------------------------------

@dataclass
class SearchFilters:
    """What a search may be narrowed to. `answered`: True, only threads whose question has an
    answer; False, only questions without one (and what is said on them)."""

    space: str | None = None  # slug
    kinds: Sequence[str] = ()
    topic: str | None = None
    author: str | None = None  # username
    since: dt.date | None = None
    until: dt.date | None = None
    answered: bool | None = None

    def apply(self, entries: QuerySet[SearchEntry]) -> QuerySet[SearchEntry]:
        if self.space:
            entries = entries.filter(space__slug=self.space)
        if self.kinds:
            entries = entries.filter(kind__in=list(self.kinds))
        if self.topic:
            entries = entries.filter(thread__topics__name=self.topic.lstrip("#").lower())
        if self.author:
            entries = entries.filter(author__username=self.author.lstrip("@"))
        if self.since:
            entries = entries.filter(created_at__date__gte=self.since)
        if self.until:
            entries = entries.filter(created_at__date__lte=self.until)
        if self.answered is not None:
            entries = entries.filter(thread__kind=Post.Kind.QUESTION)
            entries = (entries.filter(thread__answer_count__gt=0) if self.answered
                       else entries.filter(thread__answer_count=0))
        return entries


@dataclass
class Hit:
    """One result: the entry (with its post, thread, space and author loaded), the title of
    its thread and a snippet, both HTML with the matched words in <mark>."""

    entry: SearchEntry
    title_html: SafeString
    snippet_html: SafeString
    score: float


class Paged:
    """Pages of `per_page` over `total` results, `page` shown (search and people search)."""

    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


@dataclass
class SearchResults(Paged):
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = 20
    engine: str = ""
    total_capped: bool = False  # more than `total` matched (see `search`)
    ranking: str = "lexical"  # or "hybrid": words and meaning (`hybrid.py`)


def engine_name() -> str:
    return "PostgreSQL full text" if connection.vendor == "postgresql" else "SQLite FTS5"


def visible_entries(user: Any) -> QuerySet[SearchEntry]:
    """The entries `user` may see: those in spaces the gate lets them see."""
    return SearchEntry.objects.filter(space__in=visible_spaces(user).values("id"))


def matching(user: Any, query: ParsedQuery, filters: SearchFilters | None = None
             ) -> QuerySet[SearchEntry]:
    """The visible entries matching `query`, with a `score` (higher is better), unordered.

    The match joins the engine's index in the same SQL as the gate and the filters.
    `QuerySet.extra` is the one way Django offers to join a table it has no model for (the
    FTS5 table) while keeping the rest of the query composable.
    """
    entries = visible_entries(user)
    if filters is not None:
        entries = filters.apply(entries)
    if query.is_empty:
        return entries.none()
    return _ranked(entries, query)


def _ranked(entries: QuerySet[SearchEntry], query: ParsedQuery) -> QuerySet[SearchEntry]:
    """`entries` that match `query`, with their `score`."""
    table = SearchEntry._meta.db_table
    if connection.vendor == "postgresql":
        tsquery = "to_tsquery('waggle_english', %s)"
        text = tsquery_text(query)
        return entries.extra(
            select={"score": f"ts_rank_cd({table}.document, {tsquery})"},
            select_params=[text],
            where=[f"{table}.document @@ {tsquery}"],
            params=[text],
        )
    # bm25() is lower-is-better; negated so that both engines sort descending.
    return entries.extra(
        select={"score": f"-bm25(search_fts, {TITLE_WEIGHT}, 1.0)"},
        tables=["search_fts"],
        where=[f"search_fts.rowid = {table}.id", "search_fts MATCH %s"],
        params=[fts5_expression(query)],
    )


def search(
    user: Any,
    text: str,
    filters: SearchFilters | None = None,
    *,
    page: int = 1,
    per_page: int = 20,
    order: str = "relevance",
) -> SearchResults:
    """One page of what `user` may see that matches `text`, best first (or newest first when
    `order` is "newest"), with the count. With semantic ranking on, "best" is by words and
    meaning together, and threads near in meaning join the matches (`hybrid.py`).

    A query whose words are everywhere ("team") can match a third of a big organization's
    posts; ranking and counting all of them would take seconds. So both stop at `WINDOW`
    matches, the newest ones (entry ids grow with time): the best of the newest `WINDOW`
    matches are shown, and the count then says "at least `WINDOW`" (`total_capped`). A query
    with fewer matches is ranked and counted whole. The window is one statement (or a few
    slices of one, on PostgreSQL: `newest_matches`) that returns each match's score; the
    count is its length and the ranking happens here.
    """
    results = SearchResults(query=text, page=max(1, page), per_page=per_page,
                            engine=engine_name())
    query = parse_query(text)
    if query.is_empty:
        return results
    entries = matching(user, query, filters)
    newest = order == "newest"
    index = hybrid.ready() if not newest and hybrid.plain(query) else None
    start = (results.page - 1) * per_page
    if index is not None:
        encoded = hybrid.encoding(text)  # the model works while the database does
        window = newest_matches(entries, query, ("id", "thread_id"))
        gated = visible_entries(user)
        fused = hybrid.hybrid_rows(
            index, text, [(pk, thread, score) for pk, thread, score in best_first(window.rows)],
            filters.apply(gated) if filters is not None else gated,
            visible_space_ids=list(visible_spaces(user).values_list("id", flat=True)),
            kinds=hybrid.kinds_of(filters), encoded=encoded,
        )
        results.total, results.total_capped = len(window.rows) + fused.added, window.capped
        results.ranking = "hybrid"
        page_rows = fused.rows[start:start + per_page]
    elif newest:
        window = newest_matches(entries, query, ("id", "created_at"), scored=False)
        results.total, results.total_capped = len(window.rows), window.capped
        # Entry ids grow with time, but a post edited is indexed again under a new id.
        by_date = sorted(window.rows, key=itemgetter(1, 0), reverse=True)
        page_rows = [(pk, 0.0) for pk, _ in by_date[start:start + per_page]]
    else:
        window = newest_matches(entries, query, ("id",))
        results.total, results.total_capped = len(window.rows), window.capped
        page_rows = [(pk, score) for pk, score in best_first(window.rows)[start:start + per_page]]
    results.hits = hits_for(page_rows, query)
    return results


def best_matches(
    entries: QuerySet[SearchEntry], query: ParsedQuery, *, start: int = 0, size: int,
    fields: tuple[str, ...] = ("id",),
) -> list[SearchEntry]:
    """`size` of the `matching` `entries` from `start`, best first, each with its `score` and
    `fields` (attribute names of SearchEntry columns; the others load when read): ranked over
    the newest `WINDOW` matches when there are more than that (see `search`)."""
    # In the model's own column order: `from_db` reads the values in that order.
    order = [f.attname for f in SearchEntry._meta.concrete_fields]
    columns = tuple(sorted({"id", *fields}, key=order.index))
    chosen = best_first(newest_matches(entries, query, columns).rows)[start:start + size]
    found = []
    for row in chosen:
        entry = SearchEntry.from_db(connection.alias, list(columns), row[:-1])
        entry.score = float(row[-1])  # type: ignore[attr-defined]  # as `matching` gives it
        found.append(entry)
    return found


@dataclass
class Window:
    """The newest `WINDOW` matches (all of them, when fewer matched), newest first: each row
    the columns asked for, then the score when scored."""

    rows: list[tuple[Any, ...]]
    capped: bool  # more than WINDOW matched


def best_first(rows: Sequence[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Rows of `newest_matches` (id first, score last), best first; ties, newest first."""
    return sorted(rows, key=itemgetter(-1, 0), reverse=True)


def newest_matches(entries: QuerySet[SearchEntry], query: ParsedQuery,
                   columns: tuple[str, ...], *, scored: bool = True) -> Window:
    """The newest `WINDOW` of the `matching` `entries` (by entry id, which grows with time),
    with `columns` (SearchEntry attribute names, "id" first) and, if `scored`, the score. The
    same statement finds, gates and scores them, so nothing is counted or ranked apart and
    each match is read once: its length is the count (`WINDOW` + 1 rows are asked for, to
    know whether more matched).

    SQLite: FTS5 yields the matches in rowid order, newest first (the outer loop of the
    plan), each joined to its entry for the gate and the filters until `WINDOW` + 1 have
    passed; bm25 is computed for those only. PostgreSQL: the statement may run over a few
    slices of the entries (`_newest_postgres`); ts_rank_cd is computed outside its LIMIT.
    """
    if connection.vendor == "postgresql":
        rows = _newest_postgres(entries, query, columns, scored)
    else:
        selected = (*columns, "score") if scored else columns
        ordered = entries.order_by().extra(order_by=["-search_fts.rowid"])
        rows = list(ordered.values_list(*selected)[:WINDOW + 1])
    return Window(rows=rows[:WINDOW], capped=len(rows) > WINDOW)


def _newest_postgres(entries: QuerySet[SearchEntry], query: ParsedQuery,
                     columns: tuple[str, ...], scored: bool) -> list[tuple[Any, ...]]:
    """The newest `WINDOW` + 1 matches on PostgreSQL.

    Every match found costs a heap page read (its space, for the gate), so the aim is to read
    few besides the newest. A word with `SPARSE` or more matches (PostgreSQL's estimate) is
    found by walking the primary key backwards until enough turn up. A rarer one is looked
    for in a slice of the newest entries as wide as its frequency says should hold `WINDOW`
    matches (`SLICE_MARGIN` times: the gate hides some), where PostgreSQL intersects the GIN
    and primary key bitmaps and reads only the matches in the slice (for a word of `BITMAP`
    matches or more it is told to: it would walk the slice); too few there, and the next
    slice goes as far back again as the matches found so far say the rest lie. A slice's
    primary-key bitmap costs a little per entry in it: when it would cost more than reading
    the matches outside it (`KEYS_PER_MATCH`), the rest are read from the GIN index and sorted
    (ordering by `id + 0` keeps the planner from walking the primary key through most of the
    table, which it would assume is quick).

    The planner takes the words of a phrase as independent, and they rarely are: it puts
    "lesson learned" at an eighth of its matches. So a phrase's matches are guessed between
    that estimate and the ceiling its rarest word sets (`_estimated_matches`), at their
    geometric mean, for the walk and the first slice; later slices go by what was found.
    """
    estimate, ceiling = _estimated_matches(query)
    guess = math.sqrt(max(estimate, 1.0) * max(ceiling, estimate, 1.0))
    if guess >= SPARSE:
        return _postgres_rows(entries, query, columns, scored, WINDOW + 1)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT (SELECT max(id) FROM {_TABLE}), "
                       f"(SELECT reltuples FROM pg_class WHERE oid = '{_TABLE}'::regclass)")
        top, count = cursor.fetchone()
    top = top or 0
    count = count if count > 0 else top  # not analyzed yet: ids go up by one
    density = guess / max(count, 1.0)
    found: list[tuple[Any, ...]] = []
    upper = top
    for _ in range(SLICES):
        missing = WINDOW + 1 - len(found)
        span = max(1, int(SLICE_MARGIN * missing / density))
        if span >= upper or span > KEYS_PER_MATCH * density * (upper - span):
            break
        found += _postgres_rows(entries.filter(id__gt=upper - span, id__lte=upper), query,
                                columns, scored, missing, bitmap=guess >= BITMAP)
        if len(found) > WINDOW:
            return found
        upper -= span
        density = max(len(found), 1) / (top - upper)
    return found + _postgres_rows(entries.filter(id__lte=upper), query, columns, scored,
                                  WINDOW + 1 - len(found), from_index=True)


def _estimated_matches(query: ParsedQuery) -> tuple[float, float]:
    """PostgreSQL's own estimate of the entries matching `query`, and, for a query with a
    phrase, a ceiling: the most that can match by each word's own estimate (a phrase cannot
    match more often than its rarest word); without one, the estimate again. Planning only,
    one statement for all: about a millisecond."""
    phrase = any(len(alternative) > 1 for group in query.groups for alternative in group)
    words = sorted(set(query.words())) if phrase else []
    estimate, *alone = _plan_rows([tsquery_text(query)]
                                  + [tsquery_text(parse_query(w)) for w in words])
    if not words:
        return estimate, estimate
    rows = dict(zip(words, alone, strict=True))
    ceiling = min(sum(min(rows[w] for w in alternative) for alternative in group)
                  for group in query.groups)
    return estimate, ceiling


def _plan_rows(texts: list[str]) -> list[float]:
    """The planner's count of the entries matching each of these tsquery texts. Several are
    planned as one statement, a `UNION ALL` of one scan each, without parallel workers (a
    parallel plan reorders the scans and counts per worker), each scan known by the number
    it selects; one the planner knows matches nothing may be left out: 0 rows."""
    scans = [f"SELECT {i} FROM search_searchentry "
             "WHERE document @@ to_tsquery('waggle_english', %s)" for i in range(len(texts))]
    if len(texts) == 1:
        return [float(_plan(scans[0], texts)["Plan Rows"])]
    with planner_settings(max_parallel_workers_per_gather="0"):
        plan = _plan(" UNION ALL ".join(scans), texts, verbose=True)
    rows = [0.0] * len(texts)
    nodes = [plan]
    while nodes:
        node = nodes.pop()
        output = node.get("Output") or []
        if node.get("Relation Name") and len(output) == 1 and output[0].isdigit():
            rows[int(output[0])] = float(node["Plan Rows"])
        else:
            nodes.extend(node.get("Plans", []))
    return rows


def _plan(statement: str, params: list[str], *, verbose: bool = False) -> dict[str, Any]:
    """The top node of PostgreSQL's plan of `statement` (EXPLAIN, not run)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN ({'VERBOSE, ' if verbose else ''}FORMAT JSON) {statement}",
                       params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):  # a driver that does not parse json
        plan = json.loads(plan)
    return plan[0]["Plan"]


def _postgres_rows(entries: QuerySet[SearchEntry], query: ParsedQuery,
                   columns: tuple[str, ...], scored: bool, limit: int, *,
                   from_index: bool = False, bitmap: bool = False) -> list[tuple[Any, ...]]:
    """The newest `limit` of `entries` (`columns`, then the score if `scored`). `from_index`:
    read all the matches from the GIN index and sort them, never walk the primary key.
    `bitmap` (a slice of ids): intersect the GIN and primary-key bitmaps and sort the matches,
    never walk the slice (the planner thinks the walk cheap, as it prices testing a tsvector
    like adding two numbers: in a slice of "update", 121,000 entries walked took 52 ms, the
    bitmaps 35 ms)."""
    ordered = (entries.annotate(newest=F("id") + 0).order_by("-newest") if from_index
               else entries.order_by("-id"))
    with planner_settings(enable_indexscan="off") if bitmap else nullcontext():
        if not scored:
            return list(ordered.values_list(*columns)[:limit])
        inner = ordered.extra(select={"match_document": f"{_TABLE}.document"})
        try:
            sql, params = (inner.values_list(*columns, "match_document")[:limit]
                           .query.sql_with_params())
        except EmptyResultSet:  # the gate lets nothing through (an anonymous visitor)
            return []
        names = ", ".join(f"w.{connection.ops.quote_name(c)}" for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {names}, ts_rank_cd(w.match_document, "
                f"to_tsquery('waggle_english', %s)) FROM ({sql}) w ORDER BY w.id DESC",
                [tsquery_text(query), *params],
            )
            return cursor.fetchall()


# What a hit shows of its post, thread, space and author (the page, the API, `waggle search
# query`): the posts' bodies stay unread, 20 of them with their threads' were most of a page's
# time at a million posts. A field left out here that a caller reads costs a query per hit:
# the query-count tests of the page and the API would see it.
_HIT_FIELDS = (
    *(f.attname for f in SearchEntry._meta.concrete_fields),
    "post__id", "post__is_anonymous", "thread__id", "thread__kind", "thread__title",
    "space__id", "space__name", "space__slug", "author__id", "author__username",
    "author__display_name", "author__first_name", "author__last_name",
)


def hits_for(rows: Sequence[tuple[int, float]], query: ParsedQuery) -> list[Hit]:
    """The hits for these (entry id, score) rows, in this order, with titles and snippets."""
    ids = [pk for pk, _ in rows]
    if not ids:
        return []
    entries = (SearchEntry.objects.select_related("post", "thread", "space", "author")
               .only(*_HIT_FIELDS).in_bulk(ids))
    marked = _marked_texts(ids, query, entries)
    hits = []
    for pk, score in rows:
        entry = entries[pk]
        title, snippet = marked.get(pk, ("", ""))
        if not title:  # answers and comments: the title of their thread, unmarked
            title = html.escape(str(entry.thread))
        hits.append(Hit(entry=entry, title_html=_to_html(title), snippet_html=_to_html(snippet),
                        score=float(score or 0.0)))
    return hits


_ANGLES = "\x05\x06"  # stand-ins for < and > while PostgreSQL makes headlines


def _undisguise(text: str) -> str:
    return text.replace(_ANGLES[0], "<").replace(_ANGLES[1], ">")


def _to_html(marked: str) -> SafeString:
    """Escape the text, then turn the engine's markers into <mark> elements."""
    escaped = html.escape(marked).replace(START, "<mark>").replace(STOP, "</mark>")
    return mark_safe(escaped)  # noqa: S308 - everything but the two markers was escaped above


def _marked_texts(
    ids: list[int], query: ParsedQuery, entries: dict[int, SearchEntry]
) -> dict[int, tuple[str, str]]:
    """Title (highlighted whole) and a body snippet for each entry, with the markers."""
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            options = (f"StartSel={START}, StopSel={STOP}, MaxFragments=2, MaxWords=30, "
                       "MinWords=12, FragmentDelimiter=\" … \"")
            # ts_headline reads "<...>" as HTML tags and drops them (with what follows
            # "<script>"): the text is plain, so angle brackets go in disguised.
            cursor.execute(
                f"""SELECT e.id,
                    CASE WHEN e.title = '' THEN '' ELSE ts_headline('waggle_english',
                        translate(e.title, '<>', %s), q, %s) END,
                    ts_headline('waggle_english', translate(e.body, '<>', %s), q, %s)
                FROM search_searchentry e, to_tsquery('waggle_english', %s) q
                WHERE e.id IN ({placeholders})""",
                [_ANGLES, f"StartSel={START}, StopSel={STOP}, HighlightAll=true", _ANGLES,
                 options, tsquery_text(query), *ids],
            )
        else:
            cursor.execute(
                f"""SELECT rowid, highlight(search_fts, 0, char(2), char(3)),
                    snippet(search_fts, 1, char(2), char(3), ' … ', 32)
                FROM search_fts WHERE search_fts MATCH %s AND rowid IN ({placeholders})""",
                [fts5_expression(query), *ids],
            )
        found = {pk: (_undisguise(title or ""), _undisguise(snippet or ""))
                 for pk, title, snippet in cursor.fetchall()}
    for pk in ids:  # an entry whose text changed since it matched: its own text, unmarked
        if pk not in found and pk in entries:
            found[pk] = (entries[pk].title, entries[pk].body[:200])
    return found
