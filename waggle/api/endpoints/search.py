"""Search: everything (and everyone) you may see that matches a query, best first, one numbered
page at a time."""

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, P, Query, QueryEx, Router, Schema
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from waggle.api.auth import viewer
from waggle.api.schemas import PeopleSearchPage, SearchKind, SearchPage
from waggle.core.errors import Invalid
from waggle.people.models import User
from waggle.search.people import knows_about, search_people
from waggle.search.query import Hit, SearchFilters, search
from waggle.search.result_links import result_url

router = Router()

MAX_PAGE = 1000  # 100 000 results at the largest page size; OFFSET stays cheap


def _no_nul(value: str) -> str:
    # PostgreSQL cannot compare text holding NUL; answer the same on SQLite.
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "Text cannot contain NUL (\\u0000).")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


class SearchParams(Schema):
    q: Text = Field(
        max_length=300, description='What to find: words (all required), "a phrase", '
        "`this OR that`, `-word` to leave out.",
    )
    space: Text | None = Field(None, max_length=120, description="Space slug.")
    topic: Text | None = Field(None, max_length=60)
    author: Text | None = Field(None, max_length=150, description="Username.")
    since: dt.date | None = Field(None, description="Created on or after (YYYY-MM-DD).")
    until: dt.date | None = Field(None, description="Created on or before (YYYY-MM-DD).")
    answered: Literal["yes", "no", ""] = Field(
        "", description="yes: threads whose question has an answer; no: questions without "
        "one (and what is said on them); empty: either."
    )
    order: Literal["relevance", "newest"] = "relevance"
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(20, ge=1, le=100)


# Beside the schema rather than in it: ninja reports an error in a list field of a query schema
# under the schema's name, and the message should name `kind`.
KindParam = QueryEx[list[SearchKind] | None, P(description="Repeat to allow several kinds.")]


def _hit_out(hit: Hit) -> dict[str, Any]:
    entry = hit.entry
    return {
        "kind": entry.kind, "post_id": entry.post_id, "thread_id": entry.thread_id,
        "comment_id": entry.comment_id, "space": entry.space.slug,
        "title_html": str(hit.title_html), "snippet_html": str(hit.snippet_html),
        # The entry's own author: empty for an anonymous question, whoever asked it.
        "author": entry.author.username if entry.author is not None else None,
        "created_at": entry.created_at, "url": result_url(entry),
    }


@router.get("/search", response=SearchPage, summary="Search what you can see")
def search_everything(
    request: HttpRequest,
    params: Query[SearchParams],
    kind: KindParam = None,
) -> dict[str, Any]:
    """Questions, answers, updates, lessons and comments in the spaces you can see. Results
    in spaces you cannot see are never returned or counted. Ranked results come in numbered
    pages (`page`, `per_page`), not the `cursor` of the lists."""
    if params.since and params.until and params.since > params.until:
        raise Invalid("The end date (until) is before the start date (since).", field="until")
    filters = SearchFilters(
        space=params.space, kinds=kind or (), topic=params.topic, author=params.author,
        since=params.since, until=params.until,
        answered={"yes": True, "no": False}.get(params.answered),
    )
    results = search(viewer(request), params.q, filters, page=params.page,
                     per_page=params.per_page, order=params.order)
    return {
        "query": results.query, "total": results.total,
        "total_capped": results.total_capped, "page": results.page,
        "pages": results.pages, "engine": results.engine, "ranking": results.ranking,
        "results": [_hit_out(hit) for hit in results.hits],
    }


@dataclass
class _Found:
    """A person found, read by `PersonFound` as the profile plus what the search adds."""

    person: User
    knows_about: list[str]
    url: str

    def __getattr__(self, name: str) -> Any:
        return getattr(self.person, name)


class PeopleSearchParams(Schema):
    q: Text = Field(max_length=300, description="Words that begin a word of the person's "
                    "name, username, title, department, team, location, declared skills or "
                    "bio (all required): `ali` finds Alice Martin, `kube` who declared "
                    "#kubernetes.")
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(20, ge=1, le=100)


@router.get("/search/people", response=PeopleSearchPage, summary="Search people you can see")
def search_for_people(request: HttpRequest, params: Query[PeopleSearchParams]) -> dict[str, Any]:
    """People whose name, username, title, department, team, location, declared skills or bio
    have words beginning with the query's words: the exact username or name first, then
    names, roles and places, skills, bios. A guest finds only the people of their spaces;
    deactivated accounts are never found or counted."""
    user = viewer(request)
    found = search_people(user, params.q, limit=params.per_page, page=params.page)
    known = knows_about(user, found.people)
    return {
        "query": found.query, "total": found.total, "total_capped": found.total_capped,
        "page": found.page, "pages": found.pages,
        "results": [
            _Found(person, [t.name for t in known[person.pk]],
                   reverse("web:person", args=[person.username]))
            for person in found.people
        ],
    }
