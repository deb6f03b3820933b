"""What an importer hands to the writer: plain records keyed by the archive's own ids.

Parsers (`waggle.harvest.sources.*`) know file formats and nothing about the database; the
writer (`waggle.harvest.actions.do_import_batch`) knows the database and nothing about
formats. Keys are unique within one archive and one record type; the writer prefixes them
with the archive's namespace to make the provenance (`source`, `external_id`) of each object.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

PostKind = Literal["question", "answer", "update"]
LinkKind = Literal["duplicate", "related"]


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """Someone who wrote in the archive. `emails` are matched against existing accounts and
    become identities of the person (aliases merge into one person)."""

    key: str
    name: str = ""
    username: str = ""
    emails: tuple[str, ...] = ()
    location: str = ""
    bio: str = ""


@dataclass(frozen=True, slots=True)
class SpaceRecord:
    """A place in the archive (a site, a channel, a mailing list or folder)."""

    key: str
    name: str
    description: str = ""


@dataclass(frozen=True, slots=True)
class PostRecord:
    """A question, an answer or an update. `body` is markdown (converted by the parser) and
    may hold `mention(key)` and `space_link(key)` placeholders that the writer resolves."""

    key: str
    kind: PostKind
    space: str
    author: str | None
    title: str
    body: str
    created_at: dt.datetime
    updated_at: dt.datetime | None = None
    question: str | None = None
    topics: tuple[str, ...] = ()
    accepted_answer: str | None = None
    #: The rendered body, when the runner rendered it ahead (see `prerendered`); else "".
    html: str = ""


@dataclass(frozen=True, slots=True)
class CommentRecord:
    key: str
    post: str
    author: str | None
    body: str
    created_at: dt.datetime
    html: str = ""


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """`post` is a duplicate of, or related to, `target` (both post keys)."""

    key: str
    post: str
    target: str
    kind: LinkKind


@dataclass(frozen=True, slots=True)
class AcceptRecord:
    """`answer` is the accepted answer of `question`; emitted when both have been seen."""

    question: str
    answer: str


Record = PersonRecord | SpaceRecord | PostRecord | CommentRecord | LinkRecord | AcceptRecord


@dataclass(slots=True)
class Unit:
    """Records that are written together or not at all (a whole thread where the format
    allows). `where` names the file and position for progress and error messages; `skipped`
    counts what the parser left out, by reason ("bot message", "file attachment", ...)."""

    where: str
    records: list[Record] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


class HarvestError(Exception):
    """The archive cannot be read: names the file and the position of the problem."""

    def __init__(self, path: str, position: str, problem: str) -> None:
        self.path, self.position, self.problem = path, position, problem
        where = f"{path}, {position}" if position else path
        super().__init__(f"{where}: {problem}")


_PLACEHOLDER = re.compile(r"\{\{waggle:(person|space):([^{}]+)\}\}")


def mention(person_key: str) -> str:
    """A placeholder in a body that the writer turns into an @mention of that person."""
    return "{{waggle:person:" + person_key.replace("}", "") + "}}"


def space_link(space_key: str) -> str:
    """A placeholder in a body that the writer turns into a link to that space."""
    return "{{waggle:space:" + space_key.replace("}", "") + "}}"


def placeholders(text: str) -> list[tuple[str, str]]:
    """("person" | "space", key) for each placeholder in `text`."""
    return [(m.group(1), m.group(2)) for m in _PLACEHOLDER.finditer(text)]


def fill_placeholders(text: str, person: dict[str, str], space: dict[str, str]) -> str:
    """Replace placeholders with the markdown the maps give (a missing key becomes the
    key itself as plain text, so nothing disappears)."""

    def swap(m: re.Match[str]) -> str:
        kind, key = m.group(1), m.group(2)
        table = person if kind == "person" else space
        return table.get(key, key)

    return _PLACEHOLDER.sub(swap, text)
