"""People search: who matches a name, a role, a place or a declared skill, best match first.

Every word of the query must begin a word of the person's name, username, title, department,
team, location, declared skills or bio ("ali" finds "Alice Martin"; "kube" finds who declared
#kubernetes). Names, titles, locations and bios are matched in the database's own full-text
index over the people table (migration `people/0005`: FTS5 with prefix indexes on SQLite, a
tsvector with a GIN index on PostgreSQL); departments, teams and topics are small tables, read
first (`Word`). The gate (`people.access.visible_people`: a guest sees only the people of
their spaces, deactivated accounts nobody) is part of every query, so what a viewer may not see
is neither listed nor counted.

Order: the exact username or name, then names that begin with the query, then people whose name
holds every word, then those found by title, department, team or location, then by declared
skill, then by bio; alphabetically by name within each. No activity figure plays any part.

Cost: it runs on every search page, so it reads what a page needs, not every match. The count
stops at `COUNTED` ("more than 1,000 people", and the pages end there, as for posts). The
tiers are read group by group (`ranked`), each sorted and cut to the end of the page: the
names first, from the index alone (few, and usually a whole page), and the roles, skills and
bios only when the page needs more, leaving out by id the people already ranked. A group that
holds a third of the organization ("engineering", a department) is still sorted whole: no
index holds people in name order. On PostgreSQL the word that leads (the longest) is found
through one bitmap of its indexes (`Word.leads`) and the other words tested on those rows;
SQLite intersects each word's ids, read from FTS5 and the small tables.
"""

from __future__ import annotations

import re
import unicodedata
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from enum import IntEnum
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, Lower, NullIf

from waggle.core.planner import planner_settings
from waggle.expertise.models import Expertise
from waggle.people.access import visible_people
from waggle.people.models import Department, Team, User
from waggle.search.query import Paged
from waggle.spaces.access import visible_spaces
from waggle.topics.models import Topic

MAX_QUERY_CHARS = 300
MAX_WORDS = 8  # nobody's name, role and skills need more; keeps the SQL small
MAX_WORD_CHARS = 40
PER_PAGE = 20
COUNTED = 1000  # matches counted; beyond, "more than 1,000 people" (as for posts)
KNOWS_ABOUT = 3  # topics shown beside each person found

# Words are runs of letters and digits; the underscore is punctuation in both engines.
WORD = re.compile(r"[^\W_]+")


class Match(IntEnum):
    """How well a person matched, best first (the sort key)."""

    EXACT = 0  # the username, display name or full name is the query
    NAME_START = 1  # the display name or username begins with the query
    NAME = 2  # every word begins a word of the name or username
    ROLE = 3  # ... or of the title, department, team or location
    SKILL = 4  # ... or of a declared skill
    BIO = 5  # ... or of the bio


@dataclass
class PeopleResults(Paged):
    """One page of the people `query` finds for one viewer, and how many there are in all."""

    query: str
    people: list[User] = field(default_factory=list)
    total: int = 0
    total_capped: bool = False  # more than `total` matched (see `search_people`)
    page: int = 1
    per_page: int = PER_PAGE


def fold(text: str) -> str:
    """Lower case without accents ("Zoë" is "zoe"), as both indexes store words."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def query_words(text: str) -> list[str]:
    """The words to find, folded. What the post search's language adds (OR, -word) is no name:
    those are left out, so one search box serves both."""
    words: list[str] = []
    for token in str(text)[:MAX_QUERY_CHARS].split():
        if token == "OR" or token.startswith("-"):
            continue
        for word in WORD.findall(fold(token)):
            word = word[:MAX_WORD_CHARS]
            if word not in words:
                words.append(word)
    return words[:MAX_WORDS]


# The index's columns by what they say about a person (SQLite FTS5 column names and the
# PostgreSQL weights given in migration people/0005).
NAME, ROLE, BIO = "name", "role", "bio"
_FTS5_COLUMNS = {
    NAME: "{display_name first_name last_name username}",
    ROLE: "{title location}",
    BIO: "{bio}",
}
_PG_WEIGHTS = {NAME: "A", ROLE: "B", BIO: "D"}
_PG_MATCH = "search_document @@ to_tsquery('waggle_names', %s)"
# A word this short begins too many words ("a" begins a word of nearly every bio): it finds
# the beginning of a name, and elsewhere only a whole word ("HR", "QA", "UX").
SHORT = 3
MIN_WORD = 2  # at least one word this long (see `searchable`)


def _terms(word: str, parts: tuple[str, ...]) -> tuple[str, ...]:
    """(part, prefix) pairs to look `word` up in: prefixes in every part for a long word; a
    short one begins a name or is a whole word of the role, and is not looked for in bios."""
    if len(word) >= SHORT:
        return tuple(f"{part}*" for part in parts)
    return tuple(f"{part}*" if part == NAME else part for part in parts if part != BIO)


@dataclass(frozen=True)
class Condition:
    """A condition on a person (a row of people_user) as SQL, so that each engine is given the
    form its planner reads best: on PostgreSQL, tests its indexes answer (`@@` for the GIN,
    `= ANY(array)` for a b-tree) rather than IN, which it plans as a join over every person."""

    sql: str
    params: tuple[Any, ...] = ()

    def __and__(self, other: Condition) -> Condition:
        return Condition(f"({self.sql}) AND ({other.sql})", self.params + other.params)

    def __or__(self, other: Condition) -> Condition:
        return Condition(f"({self.sql}) OR ({other.sql})", self.params + other.params)

    def q(self) -> Q:
        return Q(RawSQL(self.sql, list(self.params), output_field=BooleanField()))


def _tsquery(word: str, terms: tuple[str, ...]) -> str:
    """The tsquery operand(s) for `word` in the parts `terms` names (see `_terms`): the
    prefix parts share one operand ("word:*AB"), which the GIN index answers in one scan, and
    with every part it needs no weight at all, so no row is read again to check one."""
    prefixed = "".join(_PG_WEIGHTS[term.rstrip("*")] for term in terms if term.endswith("*"))
    whole = [f"{word}:{_PG_WEIGHTS[term]}" for term in terms if not term.endswith("*")]
    everywhere = prefixed == "".join(_PG_WEIGHTS.values())
    return " | ".join(([f"{word}:*{'' if everywhere else prefixed}"] if prefixed else [])
                      + whole)


def _fts5(word: str, terms: tuple[str, ...]) -> str:
    return " OR ".join(
        f'{_FTS5_COLUMNS[term.rstrip("*")]} : "{word}"{"*" if term.endswith("*") else ""}'
        for term in terms)


def _in_index(words: list[str], *parts: str) -> tuple[str, str, tuple[Any, ...]] | None:
    """Where every one of `words` begins a word in one of `parts` of the index (or, for a
    short word outside the name, is that word), as (the test of a person's row, the query of
    their ids, the parameter); None where a word cannot be found there."""
    terms = [_terms(word, parts) for word in words]
    if not all(terms):
        return None
    # Words hold letters and digits only, so neither engine's syntax needs quoting.
    pairs = zip(words, terms, strict=True)
    if connection.vendor == "postgresql":
        return (f'"people_user".{_PG_MATCH}', f"SELECT id FROM people_user WHERE {_PG_MATCH}",
                (" & ".join(f"({_tsquery(w, t)})" for w, t in pairs),))
    ids = "SELECT rowid FROM people_user_fts WHERE people_user_fts MATCH %s"
    return (f'"people_user"."id" IN ({ids})', ids,
            (" AND ".join(f"({_fts5(w, t)})" for w, t in pairs),))


def _in(column: str, ids: list[int]) -> Condition:
    """`column` holds one of `ids` (a list PostgreSQL hashes when it tests a row)."""
    if connection.vendor == "postgresql":
        return Condition(f"{column} = ANY(%s)", (ids,))
    return Condition(f"{column} IN ({', '.join(['%s'] * len(ids))})", tuple(ids))


NOBODY = Condition("1 = 0")


def _indexed(words: list[str], *parts: str) -> Condition:
    """Every one of `words` is found in `parts` of the person's index entry (`_in_index`)."""
    found = _in_index(words, *parts)
    return NOBODY if found is None else Condition(found[0], found[2])


def _begins_a_word(name: str, word: str, separators: str = " -") -> Q:
    """`name` has a word beginning with `word` (case-insensitive); for a short word, `name`
    is that word. For the small tables."""
    if len(word) < SHORT:
        return Q(**{f"{name}__iexact": word})
    return reduce(or_, [Q(**{f"{name}__istartswith": word})]
                  + [Q(**{f"{name}__icontains": sep + word}) for sep in separators])


@dataclass
class Word:
    """One word of the query, with the departments, teams and topics it names (read once per
    search: they are small tables). Where it finds people down to a `Match` tier (ROLE: the
    name, title, location, department or team; SKILL: or a declared skill; BIO: or the bio)
    is given in the forms each engine reads best: a test of a person's row (`finds`), the
    same led by the indexes (`leads`, PostgreSQL), and the ids of everyone it finds
    (`candidates`, SQLite)."""

    text: str
    departments: list[int]
    teams: list[int]
    topics: list[int]

    @classmethod
    def look_up(cls, text: str) -> Word:
        def ids(model: Any, condition: Q) -> list[int]:
            return list(model.objects.filter(condition).values_list("id", flat=True))

        return cls(text, ids(Department, _begins_a_word("name", text)),
                   ids(Team, _begins_a_word("name", text)),
                   # Topic names are normalized #tags: lower case, words joined by - or _.
                   ids(Topic, _begins_a_word("name", text, "-_")))

    def _parts(self, level: Match) -> tuple[str, ...]:
        return (NAME, ROLE, BIO) if level >= Match.BIO else (NAME, ROLE)

    def _columns(self, level: Match) -> list[tuple[str, list[int]]]:
        columns = [("department_id", self.departments), ("team_id", self.teams)]
        if level >= Match.SKILL:
            columns.append(("topic_id", self.topics))
        return [(column, ids) for column, ids in columns if ids]

    def finds(self, level: Match) -> Condition:
        """The word finds the person: a test of their row."""
        found = []
        # The columns first: a person they find is not looked for in their index entry.
        for column, ids in self._columns(level):
            if column == "topic_id":
                skill = _in("topic_id", ids)
                found.append(Condition(
                    "EXISTS (SELECT 1 FROM people_user_skills WHERE user_id = "
                    f'"people_user"."id" AND {skill.sql})', skill.params))
            else:
                found.append(_in(f'"people_user"."{column}"', ids))
        return reduce(or_, [*found, _indexed([self.text], *self._parts(level))])

    def leads(self, level: Match) -> Condition:
        """`finds`, for the word the people are found by, on PostgreSQL: led by where its
        indexes find it."""
        # One bitmap of every index's answer, read in the table's order. The word anywhere in
        # the index entry is a test the GIN index answers exactly, where one with weights (in
        # the name or the role only) has every row read again to check it, skill list and
        # all; `finds` then tests the few found.
        anywhere = [Condition(f'"people_user".{_PG_MATCH}', (f"{self.text}:*",))]
        for column, ids in self._columns(level):
            listed = _in(column, ids)
            anywhere.append(
                Condition('"people_user"."id" = ANY(ARRAY(SELECT user_id FROM '
                          f"people_user_skills WHERE {listed.sql}))", listed.params)
                if column == "topic_id" else _in(f'"people_user"."{column}"', ids))
        return reduce(or_, anywhere) & self.finds(level)

    def candidates(self, level: Match) -> Condition:
        """The person is among everyone the word finds, read as one UNION of ids from the
        index and the small tables: the database then reads only those people, by primary
        key, rather than testing every person."""
        queries: list[tuple[str, tuple[Any, ...]]] = []
        indexed = _in_index([self.text], *self._parts(level))
        if indexed is not None:
            queries.append((indexed[1], indexed[2]))
        for column, ids in self._columns(level):
            listed = _in(column, ids)
            table = "people_user_skills" if column == "topic_id" else "people_user"
            person = "user_id" if column == "topic_id" else "id"
            queries.append((f"SELECT {person} FROM {table} WHERE {listed.sql}", listed.params))
        if not queries:
            return NOBODY
        return Condition(f'"people_user"."id" IN ({" UNION ".join(sql for sql, _ in queries)})',
                         tuple(param for _, params in queries for param in params))


def searchable(words: list[str]) -> bool:
    """Whether the words can find people: one letter alone would list a fifth of the
    organization, ranked at a cost no one should wait for; "j smith" is fine."""
    return any(len(word) >= MIN_WORD for word in words)


@dataclass
class Found:
    """Who the words find, from the narrowest condition to all of it: each `Match` tier below
    NAME is the people of one condition less those of the one before."""

    names: Condition  # every word begins a word of the name (EXACT, NAME_START, NAME)
    roles: Condition  # ... or of the title, location, department or team (ROLE)
    skills: Condition  # ... or of a declared skill (SKILL)
    everyone: Condition  # ... or of the bio (BIO)

    @classmethod
    def of(cls, looked_up: list[Word], *, among_few: bool = False) -> Found:
        """`among_few`: for testing people already found (at most `COUNTED`), row by row."""
        words = [word.text for word in looked_up]
        # PostgreSQL: the longest word, likeliest to find the fewest, leads, and the others
        # are tested on the rows it finds. SQLite reads each word's ids and keeps those in all.
        leading = max(looked_up, key=lambda word: len(word.text))

        def down_to(level: Match) -> Condition:
            if among_few:
                return reduce(and_, [word.finds(level) for word in looked_up])
            if connection.vendor != "postgresql":
                return reduce(and_, [word.candidates(level) for word in looked_up])
            return reduce(and_, [word.finds(level) for word in looked_up if word is not leading],
                          leading.leads(level))

        return cls(names=_indexed(words, NAME), roles=down_to(Match.ROLE),
                   skills=down_to(Match.SKILL), everyone=down_to(Match.BIO))


def _by_name() -> tuple[Any, ...]:
    """Alphabetically by the name shown (the display name, else the username)."""
    return Lower(Coalesce(NullIf("display_name", Value("")), "username")), "username", "id"


def ranked(people: QuerySet[User], found: Found, text: str) -> list[QuerySet[User]]:
    """The `found` among `people`, as one query per group of tiers, best first, each ordered
    within (the name tiers by their `match`, then alphabetically). Each group holds the ones
    before it too: read them in turn, leaving out the people already ranked (see
    `search_people`)."""
    whole = " ".join(str(text).split()).lower()[:MAX_QUERY_CHARS]
    exact = (Q(username__iexact=whole) | Q(display_name__iexact=whole)
             | Q(full_name__iexact=whole))
    named = people.filter(found.names.q()).annotate(
        full_name=Concat("first_name", Value(" "), "last_name"),
    ).annotate(match=Case(
        When(exact, then=Value(Match.EXACT)),
        When(Q(display_name__istartswith=whole) | Q(username__istartswith=whole),
             then=Value(Match.NAME_START)),
        default=Value(Match.NAME), output_field=IntegerField(),
    ))
    return [
        named.order_by("match", *_by_name()),
        people.filter(found.roles.q()).order_by(*_by_name()),
        people.filter(found.skills.q()).order_by(*_by_name()),
        people.filter(found.everyone.q()).order_by(*_by_name()),
    ]


def _through_indexes() -> AbstractContextManager[None]:
    """PostgreSQL: find people through the indexes, without parallel workers. Its planner
    prices the test of a tsvector at one operator, so once a word is common ("engineering"
    begins words of 8,000 people) it reads all 100,000 people rather than the GIN index's
    few thousand, 5 to 10 times slower; and workers only slow a query this short on a busy
    server."""
    return planner_settings(enable_seqscan="off", max_parallel_workers_per_gather="0")


def search_people(viewer: Any, text: str, *, limit: int = PER_PAGE, page: int = 1
                  ) -> PeopleResults:
    """Page `page` (of `limit` people) of the people `viewer` may see that `text` finds, best
    first, with how many match, counted up to `COUNTED` (`total_capped` beyond: the pages
    then end there, as they do for posts)."""
    query = " ".join(str(text).split())[:MAX_QUERY_CHARS]
    limit = max(1, limit)
    page = max(1, page)
    results = PeopleResults(query=query, page=page, per_page=limit)
    words = query_words(query)
    if not searchable(words):
        return results
    people = visible_people(viewer)
    looked_up = [Word.look_up(word) for word in words]
    found = Found.of(looked_up)
    ids: list[int] = []
    with _through_indexes():
        matched = list(people.filter(found.everyone.q()).values_list("id", flat=True)
                       [:COUNTED + 1])
        results.total, results.total_capped = min(len(matched), COUNTED), len(matched) > COUNTED
        if not results.total_capped:
            # Every match is in hand: the tiers need only sort those (by primary key).
            people = people.filter(id__in=matched)
            found = Found.of(looked_up, among_few=True)
        start = (page - 1) * limit
        end = min(start + limit, results.total)
        # Group by group, each to the end of the page at most: a later group is read only
        # when the ones before it hold fewer people than that, so all of those are in `ids`
        # and are left out by id (cheaper than testing each person's better tiers again).
        for group in ranked(people, found, query) if start < end else []:
            if len(ids) >= end:
                break
            ids += group.exclude(id__in=ids).values_list("id", flat=True)[:end - len(ids)]
    shown = (User.objects.filter(id__in=ids[start:end])
             .select_related("department", "team").prefetch_related("skills").in_bulk())
    results.people = [shown[pk] for pk in ids[start:end] if pk in shown]
    return results


def knows_about(viewer: Any, people: list[User], *, per_person: int = KNOWS_ABOUT
                ) -> dict[int, list[Topic]]:
    """For each person, the topics their help shows they know most about, from the evidence in
    spaces `viewer` may see (as on a profile), else their declared skills (prefetched on
    `people` by `search_people`). One query for all of them."""
    ids = [p.pk for p in people]
    rows = (Expertise.objects.filter(person_id__in=ids, space_id__in=visible_spaces(viewer)
                                     .values("id"))
            .values("person_id", "topic_id").annotate(score=Sum("score"))
            .order_by("person_id", F("score").desc(), "topic_id"))
    shown: dict[int, list[int]] = {pk: [] for pk in ids}
    for row in rows:
        picked = shown[row["person_id"]]
        if len(picked) < per_person:
            picked.append(row["topic_id"])
    topics = Topic.objects.in_bulk([t for picked in shown.values() for t in picked])
    known: dict[int, list[Topic]] = {}
    for person in people:
        found = [topics[t] for t in shown[person.pk] if t in topics]
        known[person.pk] = found or list(person.skills.all())[:per_person]
    return known
