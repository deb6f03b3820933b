"""Mail archives (mbox files, maildir folders, folders of them) as spaces, threads and people.

What becomes what:

- Each mbox file and each maildir folder is a space. Its key is its path from the name of the
  path given on the command line ("numpy-2001-November.txt", "_sent_mail/allen-p.mbox",
  "Maildir/.Sent"); its name is the list name from List-Id when the messages carry one,
  else that key without a mail suffix. A folder is walked: maildirs (cur/ and new/, with
  Maildir++ subfolders) and files whose first line starts with "From " (*.mbox, pipermail
  *.txt, ...), also compressed with gzip, bzip2 or xz (pipermail's *.txt.gz: read through a
  temporary decompressed copy, one file at a time); other files are skipped and counted.
- The archive's namespace is a slug of the names of the given paths, sorted and joined with
  "+" (``mailing-lists-mbox``, ``a-mbox+b-mbox``): moving the archive keeps it, and the same
  paths in any order give the same namespace and the same order of units.
- Threads are built per file from Message-ID, In-Reply-To and References (`thread_forest`).
  A reply whose parent is not in the file (its references name no message of the file, or
  it has none but a "Re:" subject) joins the first message with the same cleaned subject.
  A reply whose parent is in another file thus starts its own thread in its file: threads
  never span files, so each lives in one space, memory stays per file and the result does
  not depend on the order in which files are read.
- The first message of a thread is a question when `looks_like_question(subject + body)`
  (its replies are answers), else an update (its replies are comments). One unit per
  thread: a thread is written whole or not at all.
- People are keyed by lower-cased address. Addresses merge into one person when their
  senders wrote the same display name of at least two words (normalized: accents and
  punctuation dropped, case folded, "Last, First" read as "First Last"); pipermail's
  "user at example.org" is read as an address. The key is the address used most often.
  A sender without a usable address ("[log in to unmask]") is keyed by that name, or joins
  the person of an address that wrote the same name.
- Bodies: the text/plain part (else the HTML one, converted to markdown), with quoted
  messages, signatures, list footers and forward headers stripped (`reply_text`, built on
  mail-parser-reply), then escaped so that markdown shows the text as typed.

Memory: a first pass over the headers of every file keeps one counter per distinct sender
and one number per file, plus the headers of the first INDEXES_KEPT messages so that small
archives are not read twice. Then, file by file: the headers (a few strings per message, for
threading) and the bodies, one thread at a time, read back by byte offset. mbox files are
memory-mapped, never read whole.
"""

from __future__ import annotations

import binascii
import bz2
import codecs
import datetime as dt
import gzip
import hashlib
import heapq
import lzma
import mmap
import os
import re
import shutil
import tempfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header
from email.message import EmailMessage as MimeMessage
from email.message import Message, MIMEPart
from email.parser import BytesParser
from email.utils import parseaddr, parsedate_to_datetime
from pathlib import Path
from typing import Any

from mailparser_reply import EmailMessage as ReplyParser

from waggle.harvest.records import (
    CommentRecord,
    HarvestError,
    PersonRecord,
    PostRecord,
    Record,
    SpaceRecord,
    Unit,
)
from waggle.harvest.rules import html_to_markdown, looks_like_question

KIND = "mbox"
TITLE_MAX = 300
TITLE_MIN = 5
PEOPLE_PER_UNIT = 500
NAMESPACE_MAX = 80  # leaves room for keys in the 200-character provenance id
# Messages whose headers the first pass keeps for the second (about 1 kB each).
INDEXES_KEPT = 25_000
# Distinct display names after which an address is taken for a shared one (a list that
# rewrites From: "Ann Lee via dev <dev@lists.example>", a team mailbox).
SHARED_ADDRESS = 3

# Skip reasons, as the import summary shows them. Every message of a file is either a post,
# a comment or counted under one of MESSAGE_SKIPS.
DUPLICATE = "duplicate message (same Message-ID in the file)"
NO_DATE = "message without a date"
EMPTY_REPLY = "reply without text of its own"
EMPTY_MESSAGE = "empty message (no subject, no text)"
MESSAGE_SKIPS = (DUPLICATE, NO_DATE, EMPTY_REPLY, EMPTY_MESSAGE)
ATTACHMENT = "attachment"
UNKNOWN_CHARSET = "unknown charset (read as UTF-8 with replacement)"
WRONG_CHARSET = "text not in its declared charset (read with replacement)"
NOT_MAIL = "file in a mail folder that is not an mbox file"

# --- reading mbox files --------------------------------------------------------------------

# A "From " line separates messages only when it looks like an mbox From_ line (sender,
# weekday, time, year): body lines that begin with "From " unescaped, common in pipermail
# archives, stay in their message. On well-formed files the messages are exactly those of
# Python's mailbox.mbox. The sender may be pipermail's "user at example.org".
_FROM_LINE = re.compile(
    rb"From (?:\S+ at \S+|\S+)\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b.*\d{1,2}:\d{2}.*\d{4}"
)
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAIL_SUFFIXES = (".mbox", ".mbx", ".txt", ".mail")
# Compressed mbox files, by suffix: how to open them, and what is wrong when that fails.
_COMPRESSED: dict[str, Callable[[Path], Any]] = {
    ".gz": lambda path: gzip.open(path, "rb"),
    ".bz2": lambda path: bz2.open(path, "rb"),
    ".xz": lambda path: lzma.open(path, "rb"),
}
_DECOMPRESS_ERRORS = (OSError, EOFError, lzma.LZMAError, gzip.BadGzipFile)


def _plain_name(name: str) -> str:
    """A file's name without its compression suffix: an archive is the same space, with the
    same threads, whether it is read compressed or not (a re-run over the other creates
    nothing)."""
    compressed = _compression(Path(name))
    return name[: -len(compressed)] if compressed else name


def _compression(path: Path) -> str:
    """The compression suffix of an mbox file's name ("" for a plain file)."""
    suffix = path.suffix.lower()
    return suffix if suffix in _COMPRESSED else ""


def _decompress_problem(suffix: str, exc: BaseException) -> str:
    what = {".gz": "gzip", ".bz2": "bzip2", ".xz": "xz"}[suffix]
    detail = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"cannot decompress the {what} file ({detail}; is it truncated or not {what}?)"


@dataclass(frozen=True, slots=True)
class _Archive:
    """One mbox file or maildir folder: a space."""

    path: Path
    key: str
    maildir: bool

    @property
    def file(self) -> str:
        """The key with the file's own suffix (".txt.gz"): what errors name."""
        compressed = _compression(self.path)
        return self.key + self.path.name[-len(compressed):] if compressed else self.key

    @property
    def name(self) -> str:
        key = self.key  # without a compression suffix (`_plain_name`)
        for suffix in _MAIL_SUFFIXES:
            if key.lower().endswith(suffix):
                return key[: -len(suffix)]
        return key


@dataclass(slots=True)
class _Raw:
    """Where one message is and its header block (the body is read later, by offset)."""

    number: int
    start: int
    end: int
    envelope: bytes  # the From_ line of an mbox message, the file name in a maildir
    headers: bytes
    where: str
    body: int  # where the body starts (after the blank line)


def _position(number: int, where: str) -> str:
    return f"message {number} ({where})"


_BAD_LINE = re.compile(rb"^(?![ \t]|[!-9;-~]+[ \t]*:)[^\n]+", re.M)
_BLANK_LINE = re.compile(rb"^\r?\n", re.M)
_FROM_CANDIDATE = re.compile(rb"^From ", re.M)


def check_headers(block: bytes, fail: Callable[[int, str], HarvestError]) -> None:
    """Raise `fail(offset in block, problem)` when a header block is damaged: empty, binary
    bytes, or a line that is neither "Name: value" nor the continuation of one."""
    if not block.strip():
        raise fail(0, "the message has no headers (a blank line follows its From line)")
    if block[:1] in (b" ", b"\t"):
        first = block.splitlines()[0]
        raise fail(
            0, f"the message has no headers (its first line is not a header: {_shown(first)})"
        )
    control = _CONTROL.search(block)
    if control:
        at = block.rfind(b"\n", 0, control.start()) + 1
        raise fail(at, "binary data in the headers (NUL or control bytes)")
    bad = _BAD_LINE.search(block)
    if bad:
        problem = (
            "the message has no headers (its first line is not a header: "
            if bad.start() == 0
            else "a line in the headers is not a header ("
        )
        raise fail(bad.start(), f"{problem}{_shown(bad.group(0))})")


def _shown(line: bytes) -> str:
    text = line.decode("utf-8", "replace").strip()
    return repr(text[:60] + ("..." if len(text) > 60 else ""))


@contextmanager
def _opened_mbox(archive: _Archive) -> Iterator[Any]:
    """The mbox file open for reading bytes, as a real file (it is mapped): a compressed one
    is decompressed into a temporary file first, removed when done. Byte positions in errors
    are those of the decompressed text."""
    compressed = _compression(archive.path)
    try:
        f = archive.path.open("rb")
    except OSError as exc:
        raise HarvestError(archive.file, "", f"cannot read the file: {exc.strerror}") from exc
    if not compressed:
        with f:
            yield f
        return
    f.close()
    with tempfile.TemporaryFile(prefix="waggle-mbox-") as plain:
        try:
            with _COMPRESSED[compressed](archive.path) as packed:
                shutil.copyfileobj(packed, plain, 1 << 20)
        except _DECOMPRESS_ERRORS as exc:
            raise HarvestError(archive.file, "", _decompress_problem(compressed, exc)) from exc
        plain.seek(0)
        yield plain


def _scan_mbox(archive: _Archive) -> Iterator[_Raw]:
    """Each message's place and headers; raises HarvestError on damage, naming the message
    and the byte where it is. The file is mapped, not read: memory stays flat however big
    the file is."""
    with _opened_mbox(archive) as f:
        if os.fstat(f.fileno()).st_size == 0:
            raise HarvestError(archive.file, "", "unknown layout: the file is empty")
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
            yield from _split_mbox(archive, mm)


def _split_mbox(archive: _Archive, mm: mmap.mmap) -> Iterator[_Raw]:
    size = len(mm)
    starts: list[tuple[int, int]] = []  # (From_ line start, its end) of the pending message
    number = 0

    def message(start: int, eol: int, end: int) -> _Raw:
        def fail(at: int, problem: str) -> HarvestError:
            return HarvestError(archive.file, _position(number, f"byte {eol + at}"), problem)

        blank = _BLANK_LINE.search(mm, eol, end)
        if blank is None:
            problem = (
                "the file ends inside its headers (is the file truncated?)"
                if end == size
                else "its headers do not end with a blank line before the next message "
                "(is the message cut off?)"
            )
            raise HarvestError(archive.file, _position(number, f"byte {start}"), problem)
        block = mm[eol : blank.start()]
        check_headers(block, fail)
        return _Raw(number, start, end, mm[start:eol], block, f"byte {start}", blank.end())

    for m in _FROM_CANDIDATE.finditer(mm):
        pos = m.start()
        eol = mm.find(b"\n", pos)
        eol = size if eol < 0 else eol + 1
        if starts:
            if not _FROM_LINE.match(mm[pos:eol]):
                continue
            number += 1
            yield message(*starts.pop(), pos)
        elif mm[:pos].strip():
            raise HarvestError(
                archive.file,
                "byte 0",
                "unknown layout: text before the first 'From ' line (not an mbox file)",
            )
        starts.append((pos, eol))
    if starts:
        number += 1
        yield message(*starts.pop(), size)


def _maildir_files(path: Path) -> list[Path]:
    return [
        p
        for sub in ("cur", "new")
        if (path / sub).is_dir()
        for p in sorted((path / sub).iterdir())
        if p.is_file() and not p.name.startswith(".")
    ]


def _scan_maildir(archive: _Archive) -> Iterator[_Raw]:
    for number, path in enumerate(_maildir_files(archive.path), start=1):
        rel = f"{path.parent.name}/{path.name}"

        def fail(at: int, problem: str, number: int = number, rel: str = rel) -> HarvestError:
            return HarvestError(archive.file, _position(number, rel), problem)

        lines: list[bytes] = []
        body = 0
        try:
            with path.open("rb") as f:
                for line in f:
                    body += len(line)
                    if line in (b"\n", b"\r\n"):
                        break
                    lines.append(line)
        except OSError as exc:
            raise fail(0, f"cannot read the file: {exc.strerror}") from exc
        # A maildir message is a whole file: headers without a body are complete.
        block = b"".join(lines)
        check_headers(block, fail)
        yield _Raw(number, 0, path.stat().st_size, path.name.encode(), block, rel, body)


def _scan(archive: _Archive) -> Iterator[_Raw]:
    return _scan_maildir(archive) if archive.maildir else _scan_mbox(archive)


def _looks_like_mbox(path: Path) -> tuple[bool, str]:
    """(whether the first non-empty line starts with "From ", what is wrong otherwise); a
    compressed file is looked into."""
    compressed = _compression(path)
    try:
        if compressed:
            with _COMPRESSED[compressed](path) as f:
                head = f.read(65536).lstrip()
        else:
            with path.open("rb") as f:
                head = f.read(65536).lstrip()
    except _DECOMPRESS_ERRORS as exc:
        if compressed:
            return False, _decompress_problem(compressed, exc)
        return False, f"cannot read the file ({getattr(exc, 'strerror', exc)})"
    if not head:
        return False, "the file is empty"
    if head.startswith(b"From "):
        return True, ""
    first = head.splitlines()[0]
    return False, f"its first line is not an mbox 'From ' line: {_shown(first)}"


def _is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


# --- headers -------------------------------------------------------------------------------

_ANGLE_ID = re.compile(r"<([^<>\s]+)>")
_LIST_TAG = r"\[[^\]]{1,60}\]"
_REPLY_PREFIX = re.compile(
    rf"^\s*(?:{_LIST_TAG}\s*)*(?:re|aw|sv|antw|odp|vs|ynt|r)\s*(?:\[\d+\]|\(\d+\))?\s*:",
    re.I,
)
_ANY_PREFIX = re.compile(
    rf"^\s*(?:{_LIST_TAG}|(?:re|aw|sv|antw|odp|vs|ynt|fw|fwd|wg|tr|rv|r|i)"
    r"\s*(?:\[\d+\]|\(\d+\))?\s*:)\s*",
    re.I,
)


_SURROGATE = re.compile("[\udc80-\udcff]")


def _text_of_header(value: str) -> str:
    """A header value as text: raw 8-bit bytes read as UTF-8 (else Windows-1252), encoded
    words decoded (an unknown charset falls back to UTF-8 with replacement), unfolded."""
    if _SURROGATE.search(value):
        raw = value.encode("ascii", "surrogateescape")
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw.decode("cp1252", "replace")
    if "\n" in value:
        value = re.sub(r"\r?\n[ \t]*", " ", value)
    if "=?" not in value:
        return value.strip()
    try:
        parts = decode_header(value)
    except Exception:  # noqa: BLE001 - malformed encoded words are shown as written
        return value.strip()
    out: list[str] = []
    for chunk, charset in parts:
        if isinstance(chunk, str):
            out.append(chunk)
            continue
        out.append(_decode(chunk, charset)[0])
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _decode(raw: bytes, charset: str | None) -> tuple[str, str | None]:
    """(text, note): the bytes in their declared charset; a charset Python does not know
    is read as UTF-8 and text invalid in its charset is read with replacement, each with a
    note for the summary. 8-bit text in a message that declares ASCII or nothing is read as
    UTF-8, else Windows-1252, as mail programs do."""
    name = (charset or "us-ascii").strip().strip('"').lower()
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return raw.decode("utf-8", "replace"), UNKNOWN_CHARSET
    try:
        return raw.decode(codec), None
    except UnicodeDecodeError:
        pass
    if codec == "ascii":
        try:
            return raw.decode("utf-8"), None
        except UnicodeDecodeError:
            return raw.decode("cp1252", "replace"), None
    return raw.decode(codec, "replace"), WRONG_CHARSET


def _message_id(value: str) -> str:
    m = _ANGLE_ID.search(value)
    found = m.group(1) if m else value.strip().split()[0] if value.strip() else ""
    return found.strip("<>").lower()


def _referenced_ids(value: str) -> list[str]:
    found = _ANGLE_ID.findall(value)
    if not found:
        found = [t for t in value.split() if "@" in t]
    return [f.strip("<>").lower() for f in found]


def clean_subject(subject: str) -> str:
    """The subject without reply/forward prefixes and [list] tags (also the form the subject
    fallback of threading compares)."""
    s = " ".join(subject.split())
    # LISTSERV archives exported by some tools quote the whole subject.
    if len(s) > 1 and s[0] == s[-1] == "'":
        s = s[1:-1]
    while True:
        cut = _ANY_PREFIX.sub("", s, count=1)
        if cut == s:
            return s.strip()
        s = cut


def _is_reply_subject(subject: str) -> bool:
    s = subject.strip().strip("'")
    return bool(_REPLY_PREFIX.match(s))


def _parse_date(value: str) -> dt.datetime | None:
    if not value.strip():
        return None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    try:
        return when.astimezone(dt.UTC)
    except (ValueError, OverflowError):
        return None


def _envelope_date(envelope: bytes, maildir: bool) -> dt.datetime | None:
    text = envelope.decode("ascii", "replace")
    if maildir:
        # Maildir file names start with the delivery time in seconds.
        m = re.match(r"(\d{9,11})\.", text)
        return dt.datetime.fromtimestamp(int(m.group(1)), dt.UTC) if m else None
    m = re.search(r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b.*", text)
    return _parse_date(m.group(0)) if m else None


# --- people --------------------------------------------------------------------------------

_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_VIA = re.compile(r"\s+\(?via\s+[^()]*\)?$", re.I)
_OBFUSCATED = re.compile(r"(?<![\w.+'-])([\w.+'-]+) at ([\w-]+(?:\.[\w-]+)+)\b")
_SIMPLE_FROM = re.compile(
    r'(?:"?([^"<>,@()]*?)"?\s*<([\w.+\'-]+@[\w-]+(?:\.[\w-]+)+)>|([\w.+\'-]+@[\w-]+(?:\.[\w-]+)+))'
)


def sender_of(from_value: str, fallback_name: str = "") -> tuple[str, str]:
    """(lower-cased address or "", display name) of a From header. Reads pipermail's
    "user at example.org (Name)" and LISTSERV's "Name user@example.org" without brackets;
    an address hidden by the archive ("[log in to unmask]") gives "", keeping the name."""
    value = from_value.strip()
    if "@" not in value:
        value = _OBFUSCATED.sub(r"\1@\2", value)
    simple = _SIMPLE_FROM.fullmatch(value)
    if simple:
        # "Name <a@b.c>" and a bare address, most From headers, without the full parser.
        name, addr = simple.group(1) or "", simple.group(2) or simple.group(3)
    else:
        name, addr = parseaddr(value)
    if not _ADDRESS.fullmatch(addr or ""):
        m = _ADDRESS.search(value)
        addr = m.group(0) if m else ""
        if not name:
            rest = value.replace(addr, " ") if addr else re.sub(r"<[^>]*>", " ", value)
            name = rest
    # Lists that rewrite From for DMARC show "Ann Lee via dev" or "'Ann Lee' via dev".
    name = " ".join(_VIA.sub("", name).strip(" \t\"'<>()[]").split())
    if "@" in name or name.startswith("/"):
        name = ""
    if not name and fallback_name:
        # Exchange exports (Enron's X-From) give the name apart, sometimes with an X.500
        # address in brackets.
        name = " ".join(re.sub(r"<[^>]*>", " ", fallback_name).strip(" \t\"'").split())
        if "@" in name:
            name = ""
    return addr.lower(), name


def normalize_name(name: str) -> str:
    """The form of a display name that alias merging compares: accents and punctuation
    dropped, case folded, "Last, First M." read as "first m last"."""
    if name.count(",") == 1:
        last, first = name.split(",")
        name = f"{first} {last}"
    plain = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    plain = re.sub(r"[^\w\s'-]|_", " ", plain.casefold())
    return " ".join(plain.split())


@dataclass(slots=True)
class _People:
    """Who wrote in the archive: message counts per (address or name node, display name)."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    key_of: dict[str, str] = field(default_factory=dict)
    shared: set[str] = field(default_factory=set)
    records: list[PersonRecord] = field(default_factory=list)

    def node(self, addr: str, name: str) -> str | None:
        norm = normalize_name(name)
        if addr and not (addr in self.shared and norm):
            return addr
        return f"name:{norm}" if norm else (addr or None)

    def add(self, addr: str, name: str) -> None:
        node = self.node(addr, name)
        if node is not None:
            self.counts[(node, name)] += 1

    def merge(self) -> None:
        """Group aliases (same normalized display name of two words or more), choose each
        group's key and name, and make the records. An address that many people write from
        (a list that rewrites From, a shared mailbox) is no one's: its senders are told
        apart by name."""
        names_of: dict[str, set[str]] = defaultdict(set)
        for node, name in self.counts:
            if not node.startswith("name:") and (norm := normalize_name(name)):
                names_of[node].add(norm)
        self.shared = {a for a, names in names_of.items() if len(names) >= SHARED_ADDRESS}
        counts: Counter[tuple[str, str]] = Counter()
        for (node, name), n in self.counts.items():
            moved = self.node(node, name) if node in self.shared else node
            counts[(moved or node, name)] += n
        self.counts = counts
        parent: dict[str, str] = {}

        def find(x: str) -> str:
            parent.setdefault(x, x)
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        by_name: dict[str, set[str]] = defaultdict(set)
        for node, name in self.counts:
            find(node)
            norm = normalize_name(name)
            if len(norm.split()) >= 2 and node not in self.shared:
                by_name[norm].add(node)
        for same in by_name.values():
            first, *rest = sorted(same)
            for other in rest:
                parent[find(other)] = find(first)
        groups: dict[str, list[str]] = defaultdict(list)
        for node in sorted(parent):
            groups[find(node)].append(node)
        messages: Counter[str] = Counter()
        names: dict[str, Counter[str]] = defaultdict(Counter)
        for (node, name), n in self.counts.items():
            messages[node] += n
            if name:
                names[find(node)][name] += n
        for root, nodes in sorted(groups.items()):
            addresses = sorted(
                (n for n in nodes if not n.startswith("name:")), key=lambda a: (-messages[a], a)
            )
            key = addresses[0] if addresses else min(nodes, key=lambda a: (-messages[a], a))
            shown = sorted(names[root].items(), key=lambda kv: (-kv[1], kv[0]))
            for node in nodes:
                self.key_of[node] = key
            self.records.append(
                PersonRecord(
                    key=key,
                    name=shown[0][0] if shown else "",
                    emails=tuple(a for a in addresses if a not in self.shared),
                )
            )
        self.records.sort(key=lambda r: r.key)

    def key(self, addr: str, name: str) -> str | None:
        node = self.node(addr, name)
        return self.key_of.get(node) if node is not None else None


# --- one file's headers: messages and threads ------------------------------------------------


@dataclass(slots=True)
class _Head:
    number: int
    start: int
    end: int
    where: str
    msgid: str
    parents: list[str]
    subject: str
    subject_key: str
    reply_subject: bool
    date: dt.datetime | None
    addr: str
    name: str
    list_id: str
    skip: int  # bytes of the mbox From_ line before the message
    body: int  # where the body starts, counted from the From_ line
    # One text/plain part in a plain transfer encoding: its charset, else None (read with
    # the MIME machinery).
    plain: tuple[str, str] | None


@dataclass(slots=True)
class _Index:
    heads: list[_Head]
    threads: list[list[int]]
    skipped: Counter[str]
    list_id: str


_WANTED = {
    "message-id",
    "in-reply-to",
    "references",
    "subject",
    "date",
    "from",
    "x-from",
    "list-id",
    "content-type",
    "content-disposition",
    "content-transfer-encoding",
}
_CHARSET_PARAM = re.compile(r"""\bcharset\s*=\s*["']?([^"';\s]+)""", re.I)
_SIMPLE_ENCODINGS = ("", "7bit", "8bit", "binary", "quoted-printable", "base64")


def header_fields(block: bytes) -> dict[str, str]:
    """The first value of each header threading needs, decoded. The block was already split
    and checked line by line (`_HeaderBlock`), so reading these fields from it directly
    costs a tenth of a full email.parser pass, which the body pass does anyway."""
    raw: dict[str, str] = {}
    current: str | None = None
    for line in block.splitlines():
        if line[:1] in (b" ", b"\t"):
            if current is not None:
                raw[current] += "\n" + line.decode("ascii", "surrogateescape")
            continue
        name, _, value = line.partition(b":")
        key = name.strip().lower().decode("ascii", "replace")
        current = key if key in _WANTED and key not in raw else None
        if current is not None:
            raw[current] = value.decode("ascii", "surrogateescape")
    return {k: _text_of_header(v) for k, v in raw.items()}


def _head(archive: _Archive, raw: _Raw) -> _Head:
    h = header_fields(raw.headers)
    addr, name = sender_of(h.get("from", ""), h.get("x-from", ""))
    subject = h.get("subject", "")
    date = _parse_date(h.get("date", "")) or _envelope_date(raw.envelope, archive.maildir)
    msgid = _message_id(h.get("message-id", ""))
    if not msgid:
        # Stable across runs, so a re-import finds the same post.
        seed = "\n".join((h.get("from", ""), h.get("date", ""), subject))
        msgid = "sha1:" + hashlib.sha1(seed.encode("utf-8", "replace")).hexdigest()[:24]
    parents = _referenced_ids(h.get("in-reply-to", ""))[:1]
    parents += reversed(_referenced_ids(h.get("references", "")))
    content_type = h.get("content-type", "").split(";")[0].strip().lower()
    disposition = h.get("content-disposition", "").split(";")[0].strip().lower()
    charset = _CHARSET_PARAM.search(h.get("content-type", ""))
    encoding = h.get("content-transfer-encoding", "").strip().lower()
    return _Head(
        number=raw.number,
        start=raw.start,
        end=raw.end,
        where=raw.where,
        msgid=msgid,
        parents=parents,
        subject=subject,
        subject_key=clean_subject(subject).casefold(),
        reply_subject=_is_reply_subject(subject),
        date=date,
        addr=addr,
        name=name,
        list_id=h.get("list-id", ""),
        skip=len(raw.envelope) if not archive.maildir else 0,
        body=raw.body - raw.start,
        plain=(charset.group(1) if charset else "", encoding)
        if (
            content_type in ("", "text/plain")
            and disposition != "attachment"
            and encoding in _SIMPLE_ENCODINGS
        )
        else None,
    )


def _is_reply(head: _Head) -> bool:
    return head.reply_subject or bool(head.parents)


def _index(archive: _Archive) -> _Index:
    heads: list[_Head] = []
    skipped: Counter[str] = Counter()
    seen: set[str] = set()
    lists: Counter[str] = Counter()
    for raw in _scan(archive):
        head = _head(archive, raw)
        if head.list_id:
            lists[head.list_id] += 1
        if head.msgid in seen:
            skipped[DUPLICATE] += 1
            continue
        if head.date is None:
            skipped[NO_DATE] += 1
            continue
        seen.add(head.msgid)
        heads.append(head)
    list_id = min(lists.items(), key=lambda kv: (-kv[1], kv[0]))[0] if lists else ""
    return _Index(heads, thread_forest(heads), skipped, list_id)


def thread_forest(heads: list[_Head]) -> list[list[int]]:
    """Threads as lists of positions in `heads` (root first, then file order), in the order
    of their roots. A message's parent is the first of In-Reply-To and References (last to
    first) that is a message of the file. A reply whose parent is not in the file (it has
    references, or a "Re:" subject, but none is found) joins the first message with the
    same cleaned subject that is an original (no references, no "Re:"), else the first
    message with that subject."""
    by_id = {h.msgid: i for i, h in enumerate(heads)}
    anchor: dict[str, int] = {}
    for i, h in enumerate(heads):
        if not h.subject_key:
            continue
        held = anchor.get(h.subject_key)
        if held is None or (_is_reply(heads[held]) and not _is_reply(h)):
            anchor[h.subject_key] = i
    parent: list[int | None] = []
    for i, h in enumerate(heads):
        found = next((by_id[p] for p in h.parents if by_id.get(p, i) != i), None)
        if found is None and _is_reply(h) and h.subject_key:
            held = anchor.get(h.subject_key, i)
            found = held if held != i else None
        parent.append(found)
    root: list[int] = [-1] * len(heads)
    for i in range(len(heads)):
        path: list[int] = []
        on_path: set[int] = set()
        j = i
        while root[j] < 0:
            up = parent[j]
            if up is None or up in on_path or up == j:
                # A cycle of references: the earliest message on it becomes the root.
                if up is not None and (up in on_path or up == j):
                    cycle = path[path.index(up) :] if up in on_path else [j]
                    j = min([*cycle, j])
                    parent[j] = None
                root[j] = j
                break
            path.append(j)
            on_path.add(j)
            j = up
        for k in path:
            root[k] = root[j]
    members: dict[int, list[int]] = defaultdict(list)
    for i, r in enumerate(root):
        members[r].append(i)
    return [[r, *(i for i in members[r] if i != r)] for r in sorted(members)]


# --- bodies ------------------------------------------------------------------------------

_BODY_PARSER = BytesParser(policy=policy.default)
# The languages whose reply headers ("On ... wrote:", "Von: / Gesendet: / An:") and sign-offs
# the reply parser looks for; each one more slows every message a little.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "nl", "it"]
_REPLY = ReplyParser(text="", languages=list(REPLY_LANGUAGES), keep_hyphen_lists=True)
_HEADER_RE = _REPLY.HEADER_REGEX
# A cheap test for what _HEADER_RE can match at all: two "Word: ..." lines in a row (or with
# one line between), or a "wrote" line; most mail has neither, and the parser's patterns
# are slow on long text.
_MAYBE_HEADER = re.compile(
    r"^[>* \t]*[^\W\d][\w .-]{0,20}:.*\n(?:.*\n)?[>* \t]*[^\W\d][\w .-]{0,20}:"
    r"|wrote:|schrieb|a écrit|escribió|schreef|ha scritto",
    re.I | re.M,
)
_SIGNATURE_RE = _REPLY.SIGNATURE_REGEX

# Separators the reply parser does not know: Lotus Notes and Gmail forwards, Outlook
# Express' spaced "----- Original Message -----", Apple's "Begin forwarded message:".
_SEPARATOR = re.compile(
    r"^(?:-{2,}\s*Forwarded by\b.*|-{2,}\s*(?:Original|Forwarded) Message\s*-{2,}"
    r"|Begin forwarded message:)$",
    re.I | re.M,
)
_SUBJECT_WORDS = r"Subject|Betreff|Objet|Asunto|Onderwerp|Oggetto"
_SUBJECT = re.compile(rf"^\*?(?:{_SUBJECT_WORDS})\*?\s*:", re.I)
_HEADERISH = re.compile(
    r"^\*?(?:From|Sent|Sent by|To|Cc|Bcc|Date|Reply-To|Importance|Organization|Von|Gesendet"
    r"|An|Datum|De|Envoyé|À|Enviado|Para|Fecha|Van|Verzonden|Aan|Da|Inviato|Data|"
    rf"{_SUBJECT_WORDS})\*?\s*:",
    re.I,
)
# Lotus Notes attributions: "Name\n04/24/2001 09:26 AM" or "Name <a@b.c> on 04/24/2001 09:26 AM".
_NOTES_DATE = re.compile(r"\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s*[AP]M)?", re.I)
_WROTE = re.compile(r"\b(?:wrote|writes|said)\s*:\s*$", re.I)
_NEXT_PART = re.compile(r"^-{5,}\s*next part\s*-{5,}$", re.I)
_LIST_FOOTER = re.compile(r"^_{20,}$")
_QUOTE = re.compile(r"^\s*>")
_QUOTE_MARKS = re.compile(r"^(?:\s*>)+ ?")
_PROMPT = re.compile(r"^(?:>>>|\.\.\.)(?: |$)")
_DEEP_QUOTE = re.compile(r"^\s*>\s?>(?!>)")
QUOTE_LINES_KEPT = 6
SIGNATURE_MAX_LINES = 8


def _part_text(part: Message, skipped: Counter[str]) -> str:
    payload = part.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else b""
    text, note = _decode(raw, part.get_content_charset())
    if note:
        skipped[note] += 1
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _message_body(msg: MimeMessage, skipped: Counter[str]) -> tuple[str, bool]:
    """(text, is_html) of the part a reader would see; attachments are counted."""
    body = msg.get_body(preferencelist=("plain", "html"))
    skipped[ATTACHMENT] += _attachments(msg, body)
    if body is None:
        return "", False
    return _part_text(body, skipped), body.get_content_subtype() == "html"


def _attachments(part: MIMEPart, body: MIMEPart | None) -> int:
    """Parts other than the body and its other renderings (a forwarded message counts as
    one attachment)."""
    if part is body:
        return 0
    if part.get_content_type() == "message/rfc822":
        return 1
    if part.is_multipart():
        return sum(_attachments(p, body) for p in part.iter_parts())
    inline_text = (
        part.get_content_type() in ("text/plain", "text/html")
        and part.get_content_disposition() != "attachment"
    )
    return 0 if inline_text else 1


def _line_of(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] == "\n":
        pos += 1
    return text.count("\n", 0, pos)


def _header_block_end(lines: list[str], start: int) -> int:
    """The first line after the separator at `start` and the quoted headers under it."""
    j = start + 1
    n = len(lines)
    # A Notes separator wraps: "----- Forwarded by X on 04/24/2001\n09:26 AM -----".
    if j < n and lines[j].strip().endswith("---") and "-" * 3 in lines[start]:
        j += 1
    stop = min(n, j + 25)
    subject = next((k for k in range(j, stop) if _SUBJECT.match(lines[k].strip())), None)
    if subject is None:
        k = j
        while k < n and not lines[k].strip():
            k += 1
        if k < n and _HEADERISH.match(lines[k].strip()):
            subject = k
    if subject is None:
        return j
    k = subject + 1
    while k < n and lines[k].strip():
        k += 1
    return k


def _header_top(lines: list[str], first: int) -> int:
    """A quoted header found at a "cc:" line starts at the "To:" above it, whose recipients
    wrap over several lines: the topmost header line of the same block of lines."""
    if not _HEADERISH.match(lines[first].strip()):
        return first
    top = k = first
    while k > 0 and lines[k - 1].strip():
        k -= 1
        if _HEADERISH.match(lines[k].strip()):
            top = k
    return top


def _cuts(lines: list[str]) -> Iterator[tuple[int, int]]:
    """(first line, first line after) of each quoted message's header in the text, in
    order and lazily: the reply parser's patterns are slow on long mail, and the search
    usually stops at the first quoted message."""
    stripped = "\n".join(line.strip() for line in lines)

    def found_by_parser() -> Iterator[tuple[int, int]]:
        # The parser's patterns run only near lines that could start a quoted header (most
        # mail has none); a header it knows spans a few lines from the line before.
        covered = 0
        for hint in _MAYBE_HEADER.finditer(stripped):
            if hint.start() < covered:
                continue
            begin = max(0, stripped.rfind("\n", 0, max(0, stripped.rfind("\n", 0, hint.start()))))
            m = _HEADER_RE.search(stripped, begin, min(len(stripped), hint.end() + 2000))
            if m is None:
                covered = hint.end()
                continue
            covered = max(m.end(), hint.end())
            yield _line_of(stripped, m.start()), stripped.count("\n", 0, m.end()) + 1

    def found_by_separator() -> Iterator[tuple[int, int]]:
        for m in _SEPARATOR.finditer(stripped):
            line = stripped.count("\n", 0, m.start())
            yield line, line + 1

    last_end = 0
    for found, matched_end in heapq.merge(found_by_parser(), found_by_separator()):
        first = _header_top(lines, found)
        if first < last_end:
            continue
        if _WROTE.search(" ".join(lines[first:matched_end])):
            end = matched_end
        else:
            end = max(matched_end, _header_block_end(lines, first))
        yield first, end
        last_end = end


def _python_session(lines: list[str]) -> bool:
    """Whether ">>> " lines are Python prompts rather than quotes three levels deep (which
    come with quotes two levels deep)."""
    return any(_PROMPT.match(line) for line in lines) and not any(
        _DEEP_QUOTE.match(line) for line in lines
    )


def _is_quote(line: str, python: bool) -> bool:
    return bool(_QUOTE.match(line)) and not (python and _PROMPT.match(line))


def _has_text(lines: list[str], python: bool) -> bool:
    return any(line.strip() and not _is_quote(line, python) for line in lines)


def _trim_tail(lines: list[str], python: bool) -> list[str]:
    """Drop what ends a reply above a quoted message: blank lines, trailing quotes, "X
    wrote:", and a Notes "Name / 04/24/2001 09:26 AM" or "From: ..." attribution."""
    out = list(lines)
    while out:
        last = out[-1].strip()
        if not last or _is_quote(out[-1], python) or _WROTE.search(last) or _HEADERISH.match(last):
            out.pop()
        elif (date := _NOTES_DATE.search(last)) and len(last.split()) <= 15:
            out.pop()
            if date.start() == 0 and out and out[-1].strip() and len(out[-1].split()) <= 5:
                out.pop()
        else:
            break
    return out


def _shorten_quotes(lines: list[str], python: bool) -> list[str]:
    """Quoted lines kept where the writer answers between them (a few lines of each, for
    context); a quoted block with no answer after it is dropped by `_trim_tail`."""
    out: list[str] = []
    run = 0
    for line in lines:
        if _is_quote(line, python):
            run += 1
            if run <= QUOTE_LINES_KEPT:
                out.append(line.rstrip())
            elif run == QUOTE_LINES_KEPT + 1:
                out.append("> [...]")
        else:
            run = 0
            out.append(line)
    return out


def _cut_signature(lines: list[str]) -> list[str]:
    """Cut the signature the reply parser finds: from a "-- " line always, from a sign-off
    ("Thanks,", "Best regards", "Sent from my ...") only when little follows it, so a
    message that merely starts a paragraph with "Thanks," keeps its text."""
    stripped = [line.strip() for line in lines]
    text = "\n".join(stripped)
    starts = [0]
    for line in stripped:
        starts.append(starts[-1] + len(line) + 1)
    pos = 0
    while pos < len(text):
        m = _SIGNATURE_RE.search(text, pos)
        if m is None:
            break
        first = _line_of(text, m.start())
        rest = [line for line in stripped[first:] if line]
        if first > 0 and rest and (rest[0] in ("--", "__") or len(rest) <= SIGNATURE_MAX_LINES):
            return lines[:first]
        pos = starts[first + 1] if first + 1 < len(starts) else len(text)
    return lines


def reply_text(text: str, skipped: Counter[str] | None = None) -> str:
    """What the writer of a mail said: the text before the first quoted message (or, when
    the mail is only a forward or an interleaved answer, the first part that holds text of
    its own), without the signature, trailing quotes, list footers or archive notes."""
    counts = skipped if skipped is not None else Counter()
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    for i, line in enumerate(lines):
        # Mailman's pipermail replaces each attachment with a "next part" note at the end.
        if _NEXT_PART.match(line.strip()):
            counts[ATTACHMENT] += sum(1 for x in lines[i:] if _NEXT_PART.match(x.strip()))
            lines = lines[:i]
            break
    for i, line in enumerate(lines):
        if _LIST_FOOTER.match(line.strip()) and any(
            "mailing list" in x.lower() for x in lines[i + 1 : i + 3]
        ):
            lines = lines[:i]
            break
    python = _python_session(lines)
    chosen: list[str] = []
    start = 0
    for first, end in _cuts(lines):
        # What is left above a quoted message once its attribution ("Name / date") is off.
        part = _trim_tail(lines[start:first], python)
        if _has_text(part, python):
            chosen = part
            break
        start = end
    else:
        if _has_text(lines[start:], python):
            chosen = lines[start:]
    if not chosen:
        # Nothing but quotes: a forwarded text (a joke, a notice) is what the mail shares.
        quoted = next((i for i, line in enumerate(lines) if _is_quote(line, python)), None)
        if quoted is None:
            return ""
        chosen = [_QUOTE_MARKS.sub("", line) for line in lines[quoted:]]
    chosen = _trim_tail(_cut_signature(chosen), python)
    while chosen and not chosen[0].strip():
        chosen.pop(0)
    return "\n".join(_shorten_quotes(chosen, python)).strip("\n")


# --- plain text as markdown ------------------------------------------------------------------

_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")
_BULLET = re.compile(r"^(\s*)([*+-])(\s+)")
_LONG_LINE = 60


# Backslashes, code ticks, emphasis stars, link brackets, entities, and underscores at a
# word's edge ("__init__"; inside words they never emphasize).
_INLINE_MARKUP = re.compile(r"[\\`*\[\]]|&(?=#?\w+;)|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def _escape_inline(text: str) -> str:
    return _INLINE_MARKUP.sub(r"\\\g<0>", text)


def _escape_line(line: str) -> str:
    quote = re.match(r"^((?:\s*>)*\s?)", line)
    lead = quote.group(1) if quote else ""
    rest = line[len(lead) :]
    bullet = _BULLET.match(rest)
    marker = ""
    if bullet:
        marker, rest = bullet.group(0), rest[bullet.end() :]
    body = _escape_inline(rest)
    if not marker:
        stripped = body.lstrip()
        if stripped.startswith("#") or _SETEXT.match(body):
            at = len(body) - len(stripped)
            body = body[:at] + "\\" + body[at:]
    return lead + marker + body


def plain_to_markdown(text: str) -> str:
    """Mail text as markdown that renders as the writer typed it: characters markdown would
    take as markup are escaped ("#" headings, "*" and "_" emphasis, "`" code, "[" links,
    "---" underlines), "* " and "- " lists, "> " quotes and indented code blocks stay, short
    lines keep their line breaks while hard-wrapped prose flows into paragraphs."""
    lines = text.split("\n")
    python = _python_session(lines)
    out: list[str] = []
    in_code = in_session = False
    for i, line in enumerate(lines):
        blank = not line.strip()
        if python and not in_code and (in_session or _PROMPT.match(line)):
            # A Python session (prompts and output) shows as code, as typed.
            if not in_session:
                out.extend(["", "```"])
                in_session = True
            if blank:
                out.extend(["```", ""])
                in_session = False
            else:
                out.append(line.replace("```", "` ` `"))
            continue
        indented = line.startswith(("    ", "\t"))
        if not blank and indented and (in_code or i == 0 or not lines[i - 1].strip()):
            in_code = True
            out.append(line)
            continue
        if in_code and blank:
            out.append("")
            continue
        in_code = False
        if blank:
            out.append("")
            continue
        escaped = _escape_line(line)
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if nxt.strip():
            if _QUOTE.match(line) and not _QUOTE.match(nxt) and not (python and _PROMPT.match(nxt)):
                # Without a blank line the next line would continue the quote.
                out.extend([escaped, ""])
                continue
            if len(line) < _LONG_LINE:
                escaped += "  "
        out.append(escaped)
    if in_session:
        out.append("```")
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n")


def _unescape_from(text: str) -> str:
    return re.sub(r"(?m)^>(>*From )", r"\1", text)


def mail_markdown(text: str, is_html: bool, skipped: Counter[str]) -> str:
    """The markdown body of a message's text (HTML-only mail converted first)."""
    if is_html:
        return reply_text(html_to_markdown(text), skipped)
    return plain_to_markdown(reply_text(_unescape_from(text), skipped))


def message_markdown(data: bytes, skipped: Counter[str]) -> str:
    """The markdown body of a message (its bytes, without the mbox From_ line)."""
    full = _BODY_PARSER.parsebytes(data)
    assert isinstance(full, MimeMessage)
    text, is_html = _message_body(full, skipped)
    return mail_markdown(text, is_html, skipped)


def plain_body_markdown(payload: bytes, charset: str, encoding: str, skipped: Counter[str]) -> str:
    """The markdown body of a single text/plain part from its raw bytes. Most mail is one
    such part; undoing its transfer encoding here, as email's get_payload(decode=True)
    does, saves the MIME parser's pass, the largest cost of an import's parsing."""
    raw = payload
    try:
        if encoding == "quoted-printable":
            raw = binascii.a2b_qp(payload)
        elif encoding == "base64":
            raw = binascii.a2b_base64(payload)
    except (binascii.Error, ValueError):
        raw = payload  # as email does with a broken transfer encoding: the bytes as they are
    text, note = _decode(raw, charset or None)
    if note:
        skipped[note] += 1
    return mail_markdown(text.replace("\r\n", "\n").replace("\r", "\n"), False, skipped)


# --- titles --------------------------------------------------------------------------------


def _first_words(body: str, limit: int = 80) -> str:
    plain = " ".join(re.sub(r"\\(.)", r"\1", body).replace(">", " ").split())
    if len(plain) <= limit:
        return plain
    return plain[:limit].rsplit(" ", 1)[0] + "…"


def title_of(subject: str, body: str) -> str:
    """The cleaned subject; an empty subject gives the first words of the body (or "(no
    subject)"), one shorter than a title may be (5 characters) is followed by them, or by
    "…"; at most 300 characters."""
    title = clean_subject(subject)
    if not title:
        title = _first_words(body) or "(no subject)"
    elif len(title) < TITLE_MIN and (start := _first_words(body)):
        title = f"{title} – {start}"
    return title[:TITLE_MAX].strip().ljust(TITLE_MIN, "…")


# --- the source ----------------------------------------------------------------------------


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "mail"


@dataclass(slots=True)
class _Survey:
    """What the first pass over all headers learned (bounded by senders and files)."""

    people: _People
    threads: dict[str, int]
    list_names: dict[str, str]


class MboxSource:
    """Mail archives: mbox files, maildir folders, or folders holding them (walked)."""

    kind = KIND

    def __init__(self, paths: list[Path]) -> None:
        unique = {Path(p).resolve(): Path(p) for p in paths}
        self.paths = sorted(unique.values(), key=lambda p: (p.resolve().name, str(p)))
        names = sorted({_slug(_plain_name(p.resolve().name)) for p in self.paths})
        namespace = "+".join(names) or "mail"
        if len(namespace) > NAMESPACE_MAX:
            # Long lists of paths: a readable start and a digest of the whole.
            digest = hashlib.sha1(namespace.encode()).hexdigest()[:10]
            namespace = f"{namespace[: NAMESPACE_MAX - 11]}-{digest}"
        self.namespace = namespace
        self._archives: list[_Archive] | None = None
        self._not_mail = 0
        self._survey: _Survey | None = None
        self._indexes: dict[str, _Index] = {}  # from the first pass, until units() uses them

    # --- layout ---

    def _find_archives(self) -> list[_Archive]:
        names = Counter(p.resolve().name for p in self.paths)
        twice = sorted(n for n, c in names.items() if c > 1)
        if twice:
            raise HarvestError(
                twice[0],
                "",
                "two of the given paths have this name; give "
                "their common folder instead, or import them separately",
            )
        found: list[_Archive] = []
        self._not_mail = 0
        for path in self.paths:
            label = path.resolve().name
            if not path.exists():
                raise HarvestError(str(path), "", "unknown layout: no such file or folder")
            if path.is_file():
                ok, problem = _looks_like_mbox(path)
                if not ok:
                    raise HarvestError(label, "", f"unknown layout: {problem} (not an mbox file)")
                found.append(_Archive(path, _plain_name(label), maildir=False))
                continue
            before = len(found)
            found.extend(self._walk(path, label))
            if len(found) == before:
                raise HarvestError(
                    label, "", "unknown layout: no mbox files or maildir folders in this folder"
                )
        return found

    def _walk(self, folder: Path, key: str) -> Iterator[_Archive]:
        if _is_maildir(folder):
            yield _Archive(folder, key, maildir=True)
        for child in sorted(folder.iterdir(), key=lambda p: p.name):
            if child.name in ("cur", "new", "tmp") and _is_maildir(folder):
                continue
            if child.is_dir():
                yield from self._walk(child, f"{key}/{child.name}")
            elif child.is_file() and not child.name.startswith("."):
                ok, _ = _looks_like_mbox(child)
                if ok:
                    yield _Archive(child, f"{key}/{_plain_name(child.name)}", maildir=False)
                else:
                    self._not_mail += 1

    def archives(self) -> list[_Archive]:
        if self._archives is None:
            found = self._find_archives()
            keys = Counter(archive.key for archive in found)
            for archive in found:
                if keys[archive.key] > 1:  # "2001-May.txt" and "2001-May.txt.gz"
                    raise HarvestError(
                        archive.file, "", "this archive is there twice, plain and compressed "
                        "(or compressed twice): import one of them")
            self._archives = found
        return self._archives

    def check(self) -> None:
        self._archives, self._survey, self._indexes = None, None, {}
        self.archives()

    # --- first pass ---

    def _survey_all(self) -> _Survey:
        if self._survey is not None:
            return self._survey
        people = _People()
        threads: dict[str, int] = {}
        list_ids: dict[str, str] = {}
        kept = 0
        self._indexes = {}
        for archive in self.archives():
            index = _index(archive)
            threads[archive.key] = len(index.threads)
            list_ids[archive.key] = index.list_id
            for head in index.heads:
                people.add(head.addr, head.name)
            if kept + len(index.heads) <= INDEXES_KEPT:
                # Small archives are not read twice; big ones keep memory flat instead.
                self._indexes[archive.key] = index
                kept += len(index.heads)
        people.merge()
        self._survey = _Survey(people, threads, _space_names(self.archives(), list_ids))
        return self._survey

    def estimate(self) -> int | None:
        try:
            survey = self._survey_all()
        except HarvestError:
            return None  # units() raises it again, where the runner reports it
        people_units = -(-len(survey.people.records) // PEOPLE_PER_UNIT)
        return people_units + sum(1 + n for n in survey.threads.values())

    # --- units ---

    def units(self) -> Iterator[Unit]:
        survey = self._survey_all()
        records = survey.people.records
        first_skips: Counter[str] = Counter()
        if self._not_mail:
            first_skips[NOT_MAIL] = self._not_mail
        for start in range(0, max(len(records), 1), PEOPLE_PER_UNIT):
            chunk = records[start : start + PEOPLE_PER_UNIT]
            unit = Unit(
                where=f"people {start + 1}-{start + len(chunk)} of {len(records)}",
                records=list(chunk),
            )
            unit.skipped.update(first_skips)
            first_skips.clear()
            if chunk or unit.skipped:
                yield unit
        for archive in self.archives():
            yield from self._archive_units(archive, survey)

    def _archive_units(self, archive: _Archive, survey: _Survey) -> Iterator[Unit]:
        index = self._indexes.pop(archive.key, None) or _index(archive)
        space = SpaceRecord(
            key=archive.key,
            name=survey.list_names[archive.key],
            description=f"Mail archive {archive.key}",
        )
        yield Unit(where=archive.file, records=[space], skipped=Counter(index.skipped))
        if archive.maildir:
            files = _maildir_files(archive.path)
            for thread in index.threads:
                yield self._thread_unit(
                    archive,
                    index,
                    thread,
                    survey.people,
                    lambda head: files[head.number - 1].read_bytes(),
                )
            return
        with _opened_mbox(archive) as f:

            def read(head: _Head) -> bytes:
                f.seek(head.start)
                return f.read(head.end - head.start)

            for thread in index.threads:
                yield self._thread_unit(archive, index, thread, survey.people, read)

    @staticmethod
    def _body(archive: _Archive, head: _Head, data: bytes, skipped: Counter[str]) -> str:
        try:
            if head.plain is not None:
                return plain_body_markdown(data[head.body :], *head.plain, skipped)
            return message_markdown(data[head.skip :], skipped)
        except Exception as exc:  # noqa: BLE001 - any parser failure names the message
            raise HarvestError(
                archive.file, _position(head.number, head.where), f"cannot read the message: {exc}"
            ) from exc

    def _thread_unit(
        self,
        archive: _Archive,
        index: _Index,
        thread: list[int],
        people: _People,
        read: Callable[[_Head], bytes],
    ) -> Unit:
        root = index.heads[thread[0]]
        unit = Unit(where=f"{archive.file}, {_position(root.number, root.where)}")
        root_key = f"{archive.key}/{root.msgid}"
        body = self._body(archive, root, read(root), unit.skipped)
        if len(thread) == 1 and not body.strip() and not clean_subject(root.subject):
            # Archives keep placeholders of deleted mail: nothing to show.
            unit.skipped[EMPTY_MESSAGE] += 1
            return unit
        title = title_of(root.subject, body)
        assert root.date is not None
        is_question = looks_like_question(f"{clean_subject(root.subject)}\n{body}")
        records: list[Record] = [
            PostRecord(
                key=root_key,
                kind="question" if is_question else "update",
                space=archive.key,
                author=people.key(root.addr, root.name),
                title=title,
                body=body,
                created_at=root.date,
            )
        ]
        for i in thread[1:]:
            head = index.heads[i]
            assert head.date is not None
            text = self._body(archive, head, read(head), unit.skipped)
            if not text.strip():
                unit.skipped[EMPTY_REPLY] += 1
                continue
            key = f"{archive.key}/{head.msgid}"
            author = people.key(head.addr, head.name)
            if is_question:
                records.append(
                    PostRecord(
                        key=key,
                        kind="answer",
                        space=archive.key,
                        author=author,
                        title="",
                        body=text,
                        created_at=head.date,
                        question=root_key,
                    )
                )
            else:
                records.append(
                    CommentRecord(
                        key=key,
                        post=root_key,
                        author=author,
                        body=text,
                        created_at=head.date,
                    )
                )
        unit.records = records
        return unit


def _space_names(archives: Iterable[_Archive], list_ids: dict[str, str]) -> dict[str, str]:
    """The list name from List-Id ("Numpy-discussion <numpy-discussion.lists...>" gives
    "Numpy-discussion"), else the archive's path without a mail suffix; a list that spans
    several files gets the file's name after it, so the spaces can be told apart."""
    names: dict[str, str] = {}
    for archive in archives:
        list_id = list_ids.get(archive.key, "")
        phrase = re.sub(r"<[^>]*>", "", list_id).strip(" \"'")
        inner = _ANGLE_ID.search(list_id)
        names[archive.key] = phrase or (inner.group(1) if inner else "") or archive.name
    shared = Counter(v for k, v in names.items() if list_ids.get(k))
    for archive in archives:
        name = names[archive.key]
        if list_ids.get(archive.key) and shared[name] > 1:
            names[archive.key] = f"{name} ({archive.name})"
    return names
