"""People search: who matches a name, a role, a place or a declared skill, best match first.

Every word of the query must begin a word of the person's name, username, title, department,
team, location, declared skills or bio ("ali" finds "Alice Martin"; "kube" finds who declared
#kubernetes). Matching, the gate (`people.access.visible_people`: a guest sees only the
people of their spaces, deactivated accounts nobody) and the count are one SQL query, so what a
viewer may not see is neither listed nor counted. Names, titles, locations and bios are matched
in the database's own full-text index over the people table (migration `people/0005`: FTS5
with prefix indexes on SQLite, a tsvector with a GIN index on PostgreSQL); departments, teams
and topics are small tables matched in the same query.

Order: the exact username or name, then names that begin with the query, then people whose name
holds every word, then those found by title, department, team or location, then by declared
skill, then by bio; alphabetically by name within each. No activity figure plays any part.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from enum import IntEnum
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db import connection
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Concat, Lower, NullIf

from waggle.expertise.models import Expertise
from waggle.people.access import visible_people
from waggle.people.models import Department, Team, User
from waggle.spaces.access import visible_spaces
from waggle.topics.models import Topic

MAX_QUERY_CHARS = 300
MAX_WORDS = 8  # nobody's name, role and skills need more; keeps the SQL small
MAX_WORD_CHARS = 40
PER_PAGE = 20
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
class PeopleResults:
    """One page of the people `query` finds for one viewer, and how many there are in all."""

    query: str
    people: list[User] = field(default_factory=list)
    total: int = 0
    page: int = 1
    per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return self.page > 1


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


def _indexed(word: str, *parts: str) -> RawSQL:
    """The ids of people with a word beginning with `word` in any of `parts` of the index
    (or, for a short word outside the name, that word)."""
    terms = _terms(word, parts)
    if not terms:
        return RawSQL("SELECT NULL WHERE 1 = 0", [])
    # `word` holds letters and digits only, so neither engine's syntax needs quoting.
    if connection.vendor == "postgresql":
        tsquery = " | ".join(
            f"{word}:{'*' if term.endswith('*') else ''}{_PG_WEIGHTS[term.rstrip('*')]}"
            for term in terms)
        return RawSQL("SELECT id FROM people_user WHERE search_document @@ "
                      "to_tsquery('waggle_names', %s)", [tsquery])
    expression = " OR ".join(
        f'{_FTS5_COLUMNS[term.rstrip("*")]} : "{word}"{"*" if term.endswith("*") else ""}'
        for term in terms)
    return RawSQL("SELECT rowid FROM people_user_fts WHERE people_user_fts MATCH %s",
                  [expression])


def _begins_a_word(name: str, word: str, separators: str = " -") -> Q:
    """`name` has a word beginning with `word` (case-insensitive); for a short word, `name`
    is that word. For the small tables."""
    if len(word) < SHORT:
        return Q(**{f"{name}__iexact": word})
    return reduce(or_, [Q(**{f"{name}__istartswith": word})]
                  + [Q(**{f"{name}__icontains": sep + word}) for sep in separators])


def _role(word: str) -> Q:
    departments = Department.objects.filter(_begins_a_word("name", word)).values("id")
    teams = Team.objects.filter(_begins_a_word("name", word)).values("id")
    return (Q(id__in=_indexed(word, ROLE)) | Q(department_id__in=departments)
            | Q(team_id__in=teams))


def _skill(word: str) -> Q:
    # Topic names are normalized #tags: lower case, words joined by "-" (or "_").
    topics = Topic.objects.filter(_begins_a_word("name", word, "-_")).values("id")
    return Q(id__in=User.skills.through.objects.filter(topic_id__in=topics).values("user_id"))


def _candidates(word: str) -> RawSQL:
    """The ids of everyone `word` finds, as one UNION: the database reads the index and the
    small tables, then the people by primary key (an OR of the same subqueries would read
    every person)."""
    indexed = _indexed(word, NAME, ROLE, BIO)
    parts = [(indexed.sql, list(indexed.params))]
    for ids in (
        User.objects.filter(department_id__in=Department.objects.filter(
            _begins_a_word("name", word)).values("id")).values("id"),
        User.objects.filter(team_id__in=Team.objects.filter(
            _begins_a_word("name", word)).values("id")).values("id"),
        User.skills.through.objects.filter(topic_id__in=Topic.objects.filter(
            _begins_a_word("name", word, "-_")).values("id")).values("user_id"),
    ):
        sql, params = ids.query.sql_with_params()
        parts.append((sql, list(params)))
    return RawSQL(" UNION ".join(sql for sql, _ in parts),
                  [param for _, params in parts for param in params])


def searchable(words: list[str]) -> bool:
    """Whether the words can find people: one letter alone would list a fifth of the
    organization, ranked at a cost no one should wait for; "j smith" is fine."""
    return any(len(word) >= MIN_WORD for word in words)


def matching_people(viewer: Any, text: str) -> QuerySet[User]:
    """The people `viewer` may see that `text` finds, each with its `match` (a `Match`),
    unordered. Empty when `text` has no word."""
    words = query_words(text)
    people = visible_people(viewer)
    if not searchable(words):
        return people.none()
    name = {w: Q(id__in=_indexed(w, NAME)) for w in words}
    role = {w: _role(w) for w in words}
    skill = {w: _skill(w) for w in words}
    found = reduce(and_, [Q(id__in=_candidates(w)) for w in words])
    whole = " ".join(str(text).split()).lower()[:MAX_QUERY_CHARS]
    exact = (Q(username__iexact=whole) | Q(display_name__iexact=whole)
             | Q(full_name__iexact=whole))
    return people.filter(found).annotate(
        full_name=Concat("first_name", Value(" "), "last_name"),
    ).annotate(match=Case(
        When(exact, then=Value(Match.EXACT)),
        When(Q(display_name__istartswith=whole) | Q(username__istartswith=whole),
             then=Value(Match.NAME_START)),
        When(reduce(and_, name.values()), then=Value(Match.NAME)),
        When(reduce(and_, [name[w] | role[w] for w in words]), then=Value(Match.ROLE)),
        When(reduce(and_, [name[w] | role[w] | skill[w] for w in words]),
             then=Value(Match.SKILL)),
        default=Value(Match.BIO), output_field=IntegerField(),
    ))


def search_people(viewer: Any, text: str, *, limit: int = PER_PAGE, page: int = 1
                  ) -> PeopleResults:
    """Page `page` (of `limit` people) of the people `viewer` may see that `text` finds, best
    first, with how many match in all."""
    query = " ".join(str(text).split())[:MAX_QUERY_CHARS]
    limit = max(1, limit)
    page = max(1, page)
    results = PeopleResults(query=query, page=page, per_page=limit)
    if not searchable(query_words(query)):
        return results
    people = matching_people(viewer, query)
    start = (page - 1) * limit
    # The count rides along as a window over every match: one query for page and total.
    rows = list(
        people.annotate(total=Window(Count("id")))
        .order_by("match", Lower(Coalesce(NullIf("display_name", Value("")), "username")),
                  "username", "id")
        .select_related("department", "team").prefetch_related("skills")[start:start + limit]
    )
    results.total = rows[0].total if rows else (people.count() if page > 1 else 0)
    results.people = list(rows)
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
