"""The query language people type into search boxes, and its translation into each engine's
syntax (SQLite FTS5 MATCH, PostgreSQL to_tsquery). Framework-free: the evaluation uses it too.

Words are all required; "a phrase" in quotes; `OR` between two words or phrases; `-word` leaves
out what contains it. Anything else is taken as a word, so no input is a syntax error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TITLE_WEIGHT = 3.0  # a word in a title counts three times one in a body (SQLite bm25)
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ParsedQuery:
    """`groups`: each a list of alternatives (OR), all groups required (AND); an alternative
    is a tuple of words (a phrase, or one word). `excluded`: phrases that must not appear."""

    groups: tuple[tuple[tuple[str, ...], ...], ...]
    excluded: tuple[tuple[str, ...], ...]
    prefix_last: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def words(self) -> list[str]:
        return [w for group in self.groups for alt in group for w in alt]


def parse_query(text: str, *, prefix_last: bool = False) -> ParsedQuery:
    """Read what a person typed. `prefix_last`: the last word may be unfinished (as-you-type)."""
    groups: list[list[tuple[str, ...]]] = []
    excluded: list[tuple[str, ...]] = []
    join_next = False
    last_quoted = False
    for match in _TOKEN.finditer(text or ""):
        negate, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare == "OR":
            join_next = bool(groups)
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negate, bare = "-", bare[1:]
        words = tuple(w.casefold() for w in _WORD.findall(quoted if quoted is not None else bare))
        if not words:
            continue
        if negate:
            excluded.append(words)
            join_next = False
            continue
        last_quoted = quoted is not None
        if join_next:
            groups[-1].append(words)
        else:
            groups.append([words])
        join_next = False
    return ParsedQuery(
        groups=tuple(tuple(g) for g in groups), excluded=tuple(excluded),
        prefix_last=prefix_last and bool(groups) and not last_quoted,
    )


def any_of(query: ParsedQuery) -> ParsedQuery:
    """The same words, any of them enough (for "similar questions": rank, do not require)."""
    alternatives = tuple(alt for group in query.groups for alt in group)
    return ParsedQuery(groups=(alternatives,) if alternatives else (), excluded=query.excluded,
                       prefix_last=query.prefix_last)


# --- the engines' query syntax ----------------------------------------------------------------

def fts5_expression(query: ParsedQuery) -> str:
    """The FTS5 MATCH expression: every word quoted, so nothing typed is FTS5 syntax."""

    def phrase(words: tuple[str, ...], prefix: bool = False) -> str:
        return '"' + " ".join(words) + '"' + ("*" if prefix else "")

    last = (len(query.groups) - 1, len(query.groups[-1]) - 1) if query.groups else (-1, -1)
    clauses = []
    for g, group in enumerate(query.groups):
        alts = [phrase(a, query.prefix_last and (g, i) == last) for i, a in enumerate(group)]
        clauses.append(alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
    expression = " AND ".join(clauses)
    for words in query.excluded:
        expression += " NOT " + phrase(words)
    return expression


def tsquery_text(query: ParsedQuery) -> str:
    """The argument of PostgreSQL's to_tsquery('waggle_english', ...): words are \\w+ only, so no
    input is tsquery syntax."""

    def phrase(words: tuple[str, ...], prefix: bool = False) -> str:
        return "(" + " <-> ".join(words) + (":*" if prefix else "") + ")"

    last = (len(query.groups) - 1, len(query.groups[-1]) - 1) if query.groups else (-1, -1)
    clauses = []
    for g, group in enumerate(query.groups):
        alts = [phrase(a, query.prefix_last and (g, i) == last) for i, a in enumerate(group)]
        clauses.append("(" + " | ".join(alts) + ")")
    text = " & ".join(clauses)
    for words in query.excluded:
        text += " & !" + phrase(words)
    return text
