"""Reads a Stack Exchange data dump (a directory of Users.xml, Posts.xml, ...) as units."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from django.utils.text import slugify
from lxml import etree

from waggle.harvest.records import (
    AcceptRecord,
    CommentRecord,
    HarvestError,
    LinkKind,
    LinkRecord,
    PersonRecord,
    PostRecord,
    Record,
    SpaceRecord,
    Unit,
)
from waggle.harvest.rules import html_to_markdown

USERS, POSTS, COMMENTS, POSTLINKS = "Users.xml", "Posts.xml", "Comments.xml", "PostLinks.xml"
REQUIRED = (USERS, POSTS)
OPTIONAL = (COMMENTS, POSTLINKS)
#: The element that holds the rows of each file, to tell a dump file from any other XML.
ROOTS = {USERS: "users", POSTS: "posts", COMMENTS: "comments", POSTLINKS: "postlinks"}
#: Bytes per row in real dumps, for a progress estimate that costs one stat() per file.
ROW_BYTES = {USERS: 500, POSTS: 1800, COMMENTS: 340, POSTLINKS: 110}

SPACE_KEY = "site"
TITLE_MAX = 300
COMMUNITY_USER = "-1"  # the site's own bot account ("Community"); it owns wikis, not posts
DUPLICATE_LINK = "3"

QUESTION, ANSWER = "1", "2"
# Post types other than questions and answers live in the same file (stackexchange.com's
# data explorer schema); they are not conversations, so they are skipped by name.
OTHER_POST_TYPES = {
    "3": "orphaned tag wiki", "4": "tag wiki excerpt", "5": "tag wiki",
    "6": "moderator nomination", "7": "wiki placeholder", "8": "privilege wiki",
    "9": "article", "10": "help article", "12": "collection",
    "13": "moderator questionnaire response", "14": "announcement",
    "15": "collective discussion", "17": "collective collection",
}

_BRACKET_TAGS = re.compile(r"<([^<>]+)>")
_DECLARED_ENCODING = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_POSITION_SUFFIX = re.compile(r",?\s*line \d+, column \d+\s*$")


class StackExchangeSource:
    """A Stack Exchange site dump, unpacked: one space, its people, posts, comments, links.

    Units, in this order: the space; one per row of Users.xml, Posts.xml, Comments.xml
    and PostLinks.xml (rows that become nothing are empty units that count the reason).
    State kept while streaming, all small: a bitmap of the question ids seen, accepted
    answers announced by a question and not yet read, and answers whose question comes
    later in the file (merged questions), held until it arrives."""

    kind = "stackexchange"

    def __init__(self, path: Path, space_name: str | None = None) -> None:
        self.path = Path(path)
        self.space_name = (space_name or "").strip() or site_name(self.path)
        self.namespace = (
            slugify(self.space_name) or slugify(self.space_name, allow_unicode=True) or "site"
        )

    # --- the Source protocol ---

    def check(self) -> None:
        if not self.path.is_dir():
            what = "does not exist" if not self.path.exists() else "is not a directory"
            raise HarvestError(
                str(self.path), "",
                f"{what}; give the directory of an unpacked Stack Exchange dump "
                f"(with {', '.join(REQUIRED + OPTIONAL)})",
            )
        if self._file(POSTS) is None:
            present = sorted(p.name for p in self.path.iterdir())[:8]
            raise HarvestError(
                str(self.path), "",
                "not a Stack Exchange dump: expected Posts.xml and Users.xml (Comments.xml "
                "and PostLinks.xml are read when present); found "
                + (", ".join(present) if present else "an empty directory"),
            )
        for name in REQUIRED:
            if self._file(name) is None:
                raise HarvestError(
                    name, "", f"missing from {self.path}: a Stack Exchange dump has {name} "
                    "next to Posts.xml; unpack the whole dump",
                )
        # Cheap checks of every file up front, so a damaged one stops the import before
        # anything is written rather than after the files before it.
        for name in REQUIRED + OPTIONAL:
            file = self._file(name)
            if file is None:
                continue
            if file.stat().st_size == 0:
                raise HarvestError(name, "byte 0", "the file is empty; unpack the dump again")
            _check_encoding(file, name)

    def estimate(self) -> int | None:
        if not self.path.is_dir():
            return None
        total = 1
        for name, row_bytes in ROW_BYTES.items():
            file = self._file(name)
            if file is not None:
                total += max(1, file.stat().st_size // row_bytes)
        return total

    def units(self) -> Iterator[Unit]:
        self.check()
        yield Unit(self.space_name, [SpaceRecord(SPACE_KEY, self.space_name)])
        yield from self._users()
        yield from _PostReader(self).units()
        yield from self._comments()
        yield from self._links()

    # --- files ---

    def _file(self, name: str) -> Path | None:
        """The file by its dump name; any letter case, since unpacking tools differ."""
        exact = self.path / name
        if exact.is_file():
            return exact
        lower = name.lower()
        return next(
            (p for p in sorted(self.path.iterdir()) if p.name.lower() == lower and p.is_file()),
            None,
        )

    def rows(self, name: str) -> Iterator[_Row]:
        """The rows of one file as attribute maps, streamed; nothing when it is absent."""
        file = self._file(name)
        if file is None:
            return
        yield from _stream_rows(file, name)

    # --- users, comments, links ---

    def _users(self) -> Iterator[Unit]:
        for row in self.rows(USERS):
            where = f"{USERS}, line {row.line}"
            user_id = row.require("Id")
            if user_id == COMMUNITY_USER:
                yield Unit(where, skipped=Counter({"system account": 1}))
                continue
            name = row.get("DisplayName").strip()
            yield Unit(where, [PersonRecord(
                key=f"user/{user_id}", name=name, username=name,
                location=row.get("Location").strip(), bio=_markdown(row.get("AboutMe")),
            )])

    def _comments(self) -> Iterator[Unit]:
        for row in self.rows(COMMENTS):
            unit = Unit(f"{COMMENTS}, line {row.line}")
            key = f"comment/{row.require('Id')}"
            post = f"post/{row.require_int('PostId')}"
            created = row.date("CreationDate")
            author = _author(unit.records, row, "UserId", "UserDisplayName")
            # Comment text is already Stack Exchange's own mini-markdown: kept as written.
            unit.records.append(CommentRecord(key, post, author, row.get("Text"), created))
            yield unit

    def _links(self) -> Iterator[Unit]:
        for row in self.rows(POSTLINKS):
            key = f"link/{row.require('Id')}"
            post, target = row.require_int("PostId"), row.require_int("RelatedPostId")
            kind: LinkKind = "duplicate" if row.get("LinkTypeId") == DUPLICATE_LINK else "related"
            yield Unit(
                f"{POSTLINKS}, line {row.line}",
                [LinkRecord(key, f"post/{post}", f"post/{target}", kind)],
            )


class _PostReader:
    """Posts.xml: questions and answers, and each accepted answer once both are read."""

    def __init__(self, source: StackExchangeSource) -> None:
        self.source = source
        self.questions_seen = _IdSet()
        # accepted answer id -> its question id, until the answer's row is read.
        self.accepts: dict[int, int] = {}
        # question id -> [(answer id, records of the answer)] for answers read before it.
        self.waiting: dict[int, list[tuple[int, list[Record]]]] = {}

    def units(self) -> Iterator[Unit]:
        for row in self.source.rows(POSTS):
            yield self._unit(row)
        left = Counter[str]()
        for answers in self.waiting.values():
            left["answer to a question not in the dump"] += len(answers)
        left["accepted answer not in the dump"] += len(self.accepts)
        self.waiting.clear()
        self.accepts.clear()
        if +left:
            yield Unit(f"{POSTS}, end", skipped=+left)

    def _unit(self, row: _Row) -> Unit:
        unit = Unit(f"{POSTS}, line {row.line}")
        post_id = row.require_int("Id")
        kind = row.require("PostTypeId")
        if kind not in (QUESTION, ANSWER):
            name = OTHER_POST_TYPES.get(kind, "post of an unknown type")
            unit.skipped[f"{name} (PostTypeId {kind})"] += 1
            return unit
        created = row.date("CreationDate")
        updated = row.optional_date("LastEditDate") or row.optional_date("LastActivityDate")
        if kind == ANSWER:
            question_id = row.require_int("ParentId")
            records: list[Record] = []
            author = _author(records, row, "OwnerUserId", "OwnerDisplayName")
            records.append(PostRecord(
                key=f"post/{post_id}", kind="answer", space=SPACE_KEY, author=author, title="",
                body=_markdown(row.get("Body")), created_at=created, updated_at=updated,
                question=f"post/{question_id}",
            ))
            accepted_by = self.accepts.pop(post_id, None)
            if accepted_by is not None:
                records.append(AcceptRecord(f"post/{accepted_by}", f"post/{post_id}"))
            if question_id in self.questions_seen:
                unit.records.extend(records)
            else:
                # The writer needs the question first: a merged question can have a larger
                # id than answers moved into it, so hold them until the question is read.
                self.waiting.setdefault(question_id, []).append((post_id, records))
            return unit
        author = _author(unit.records, row, "OwnerUserId", "OwnerDisplayName")
        unit.records.append(PostRecord(
            key=f"post/{post_id}", kind="question", space=SPACE_KEY, author=author,
            title=" ".join(row.get("Title").split())[:TITLE_MAX],
            body=_markdown(row.get("Body")), created_at=created, updated_at=updated,
            topics=_tags(row.get("Tags")),
        ))
        self.questions_seen.add(post_id)
        accepted = row.get("AcceptedAnswerId")
        accepted_id = row.require_int("AcceptedAnswerId") if accepted else None
        early = self.waiting.pop(post_id, [])
        for _, records in early:
            unit.records.extend(records)
        if accepted_id is not None:
            if any(answer_id == accepted_id for answer_id, _ in early):
                unit.records.append(AcceptRecord(f"post/{post_id}", f"post/{accepted_id}"))
            else:
                self.accepts[accepted_id] = post_id
        return unit


class _Row:
    """One row's attributes, with the checks that name the file and line on failure."""

    __slots__ = ("attrs", "file", "line")

    def __init__(self, attrs: dict[str, str], file: str, line: int) -> None:
        self.attrs, self.file, self.line = attrs, file, line

    def get(self, name: str) -> str:
        return self.attrs.get(name) or ""

    def fail(self, problem: str) -> HarvestError:
        row_id = self.attrs.get("Id")
        who = f"row Id={row_id}" if row_id else "row"
        return HarvestError(self.file, f"line {self.line}", f"{who} {problem}")

    def require(self, name: str) -> str:
        value = self.attrs.get(name, "").strip()
        if not value:
            raise self.fail(f"has no {name} attribute, which every row of {self.file} needs")
        return value

    def require_int(self, name: str) -> int:
        value = self.require(name)
        try:
            return int(value)
        except ValueError:
            raise self.fail(f"has {name}={value!r}, which is not a number") from None

    def date(self, name: str) -> dt.datetime:
        return self._parse_date(name, self.require(name))

    def optional_date(self, name: str) -> dt.datetime | None:
        value = self.attrs.get(name, "").strip()
        return self._parse_date(name, value) if value else None

    def _parse_date(self, name: str, value: str) -> dt.datetime:
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(
                f"has {name}={value!r}, which is not a date like 2018-03-12T17:00:45.567"
            ) from None
        # Dump dates carry no zone and are UTC.
        return when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)


def _stream_rows(file: Path, name: str) -> Iterator[_Row]:
    """Each <row> of `file`, parsed incrementally; the tree is pruned as it goes so memory
    does not grow with the file."""
    _check_encoding(file, name)
    try:
        parser = etree.iterparse(
            str(file), events=("end",), tag="row", resolve_entities=False, no_network=True,
        )
    except OSError as exc:
        raise HarvestError(name, "", f"cannot be read: {exc}") from exc
    expected = ROOTS[name]
    first = True
    while True:
        try:
            _, elem = next(parser)
        except StopIteration:
            return
        except etree.XMLSyntaxError as exc:
            raise _syntax_error(file, name, exc) from exc
        except OSError as exc:
            raise HarvestError(name, "", f"cannot be read: {exc}") from exc
        parent = elem.getparent()
        if first:
            first = False
            root = parent.tag if parent is not None else elem.tag
            if root != expected:
                raise HarvestError(
                    name, f"line {elem.sourceline}",
                    f"rows are inside <{root}>, not <{expected}>: this is not the {name} "
                    "of a Stack Exchange dump",
                )
        row = _Row(dict(elem.attrib), name, elem.sourceline or 0)
        elem.clear(keep_tail=True)
        if parent is not None:
            while elem.getprevious() is not None:
                del parent[0]
        yield row


def _syntax_error(file: Path, name: str, exc: etree.XMLSyntaxError) -> HarvestError:
    line, column = exc.position if exc.position else (exc.lineno or 0, 0)
    problem = _POSITION_SUFFIX.sub("", " ".join(str(exc.msg).split()))
    if file.stat().st_size == 0:
        return HarvestError(name, "byte 0", "the file is empty; unpack the dump again")
    if "encoding" in problem.lower() or "utf-8" in problem.lower():
        problem += " (Stack Exchange dumps are UTF-8; was the file re-encoded or edited?)"
    elif not _ends_with_root(file, ROOTS[name]):
        problem += f" (the file does not end with </{ROOTS[name]}>: it looks cut short; " \
            "unpack the dump again)"
    return HarvestError(name, f"line {max(line, 1)}, column {max(column, 1)}", problem)


def _ends_with_root(file: Path, root: str) -> bool:
    with file.open("rb") as fh:
        fh.seek(max(0, file.stat().st_size - 64))
        return f"</{root}>".encode() in fh.read()


def _check_encoding(file: Path, name: str) -> None:
    """libxml2 silently trusts a byte-order mark over the XML declaration; a dump re-encoded
    without updating its declaration is damaged (the XML rule), so say so instead."""
    with file.open("rb") as fh:
        head = fh.read(256)
    actual = _sniff_encoding(head)
    if actual is None:
        return
    text = head.decode(actual, errors="ignore").encode("ascii", errors="ignore")
    declared_match = _DECLARED_ENCODING.match(text.lstrip())
    declared = declared_match.group(1).decode() if declared_match else "utf-8"
    if _family(declared) != _family(actual):
        column = text.find(b"encoding") + 1 if declared_match else 1
        raise HarvestError(
            name, f"line 1, column {max(column, 1)}",
            f"the file is {actual.upper()} but its XML declaration says {declared}; "
            "Stack Exchange dumps are UTF-8: convert it back (iconv -f "
            f"{actual.upper()} -t UTF-8) or unpack the dump again",
        )


def _family(encoding: str) -> str:
    """"utf-16" for "UTF-16LE", "utf-16-be", ...; the codec name for anything else."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return encoding.lower()
    return "-".join(name.split("-")[:2]) if name.startswith("utf") else name


def _sniff_encoding(head: bytes) -> str | None:
    """The encoding the first bytes show when it is not UTF-8 (BOM or zero-byte pattern)."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(b"<\x00?\x00"):
        return "utf-16-le"
    if head.startswith(b"\x00<\x00?"):
        return "utf-16-be"
    return None


class _IdSet:
    """A set of non-negative ints as a bitmap: one bit per id up to the largest, so the
    question ids of a Stack Overflow sized dump take megabytes, not gigabytes."""

    __slots__ = ("bits",)

    def __init__(self) -> None:
        self.bits = bytearray()

    def add(self, n: int) -> None:
        if n < 0:
            return
        byte = n >> 3
        if byte >= len(self.bits):
            self.bits.extend(bytes(max(byte + 1 - len(self.bits), len(self.bits))))
        self.bits[byte] |= 1 << (n & 7)

    def __contains__(self, n: object) -> bool:
        if not isinstance(n, int) or n < 0:
            return False
        byte = n >> 3
        return byte < len(self.bits) and bool(self.bits[byte] & (1 << (n & 7)))


def _author(records: list[Record], row: _Row, id_attr: str, name_attr: str) -> str | None:
    """The author's person key; a deleted account leaves only a display name, which becomes
    a person of its own (added to `records`) so the post keeps a visible author."""
    user_id = row.get(id_attr).strip()
    if user_id and user_id != COMMUNITY_USER:
        return f"user/{user_id}"
    name = " ".join(row.get(name_attr).split())
    if name and not user_id:
        records.append(PersonRecord(key=f"name/{name}", name=name, username=name))
        return f"name/{name}"
    return None


def _tags(value: str) -> tuple[str, ...]:
    """Tags in the old "<a><b>" form or the newer "|a|b|" form."""
    value = value.strip()
    if not value:
        return ()
    if value.startswith("<"):
        return tuple(_BRACKET_TAGS.findall(value))
    return tuple(t for t in value.split("|") if t)


def _markdown(html: str) -> str:
    return html_to_markdown(html) if html.strip() else ""


def site_name(path: Path) -> str:
    """A readable site name from the dump's directory name ("bicycles.meta.stackexchange.com"
    or "se-bicycles-meta" -> "Bicycles Meta")."""
    stem = (path.resolve().name or path.name).lower()
    for suffix in (".7z", ".com", ".net", ".stackexchange"):
        stem = stem.removesuffix(suffix)
    stem = re.sub(r"^(se|stackexchange)[-_.]", "", stem)
    words = [w for w in re.split(r"[-_.\s]+", stem) if w]
    return " ".join(w.capitalize() for w in words) or "Stack Exchange site"
