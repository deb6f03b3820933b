"""Reads a Slack export (a .zip or its unpacked folder) as units: people, channels, threads."""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.utils.text import slugify

from waggle.harvest.records import (
    CommentRecord,
    HarvestError,
    PersonRecord,
    PostKind,
    PostRecord,
    Record,
    SpaceRecord,
    Unit,
    mention,
    space_link,
)
from waggle.harvest.rules import looks_like_question

USERS, CHANNELS = "users.json", "channels.json"
#: Private channels (groups.json) and direct and group-direct conversations (dms.json,
#: mpims.json), in exports that include them: never imported. Their people wrote for a few
#: readers, and an import makes spaces of one visibility for the whole archive.
PRIVATE_LISTS = ("groups.json", "dms.json", "mpims.json")
LAYOUT = (
    "a Slack export: a .zip file or a folder with users.json, channels.json and one "
    "folder per channel holding YYYY-MM-DD.json files"
)
TITLE_MAX = 300
TITLE_MIN = 5
PEOPLE_PER_UNIT = 250
#: Bytes of day files per thread and of users.json per person in real exports; only for
#: the progress estimate, which must cost no more than listing the files.
THREAD_BYTES = 15000
PERSON_BYTES = 2500
SLACKBOT = "USLACKBOT"

_DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")

# What happens to each kind of message. Only people's messages become posts and comments;
# everything else is counted under one of these reasons.
BOT = "bot message"
JOIN_LEAVE = "join or leave"
EVENT = "channel event"
DELETED = "deleted message"
EMPTY = "empty message"
FILE = "file attachment"
DUPLICATE = "duplicate message"
ORPHAN = "reply to a missing message"
UNDER_SKIPPED = "reply to a skipped message"
NOT_MESSAGES = "not a day file"
BOT_ACCOUNT = "bot account"
PRIVATE = "private channel or direct messages (not imported)"

_JOIN_LEAVE_SUBTYPES = {
    "channel_join", "channel_leave", "group_join", "group_leave", "welcome_party",
}
#: Subtypes that are a person writing (a reply also sent to the channel, a /me message, a
#: shared file with a caption); every other subtype is an event of the channel itself.
_CONTENT_SUBTYPES = {None, "thread_broadcast", "reply_broadcast", "me_message", "file_share"}


# --- markup --------------------------------------------------------------------------------

# Slack's angle-bracket references, code blocks and code spans; everything between them is
# prose in Slack's "mrkdwn", where only &, < and > are escaped.
_TOKEN = re.compile(r"```(?P<block>.*?)```|`(?P<code>[^`\n]+)`|<(?P<ref>[^<>]+)>", re.S)
_CODE = re.compile(r"(```.*?```|`[^`\n]+`)", re.S)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
# Private-use characters stand for finished markdown while the prose around it is
# converted, so emphasis can wrap a link without the link's own characters being touched.
_HOLE = re.compile("\ue000(\\d+)\ue001")
_BOLD_MARK, _ITALIC_MARK, _STRIKE_MARK = "\ue002", "\ue003", "\ue004"
_PRIVATE_USE = re.compile("[\ue000-\ue004]")
_MD_PUNCT_AFTER_BACKSLASH = re.compile(r"\\(?=[!-/:-@\[-`{-~])")
_ENTITY_LIKE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_QUOTE_THEN_TEXT = re.compile(r"^(>.*)\n(?!>|\n)", re.M)
_SINGLE_NEWLINE = re.compile(r"(?<!\n)\n(?!\n)")
_HEADING = re.compile(r"^(\s*)(#{1,6})(?=\s|$)", re.M)
_SCHEMES = ("http://", "https://", "mailto:")
_GREETING = re.compile(
    r"(hi|hello|hey|dear|greetings|good (morning|afternoon|evening)|howdy|hola)\b[^.?]{0,30}$",
    re.I,
)
_ADDRESSED = re.compile(r"^(\s*<@[^<>]+>[\s,:;.!-]*)+")
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _escape_prose(text: str) -> str:
    """Markdown-escape what Slack shows literally: emphasis characters it did not treat as
    emphasis, backslashes before punctuation, a # that would start a heading, and text that
    markdown would read as an HTML entity."""
    text = _MD_PUNCT_AFTER_BACKSLASH.sub(r"\\\\", text)
    text = text.replace("*", r"\*").replace("_", r"\_")
    text = _HEADING.sub(r"\1\\\2", text)
    return _ENTITY_LIKE.sub(r"\\&", text)


def _inert(text: str) -> str:
    """Text shown as written that no reader turns into a mention, topic or link: Slack's
    @here has no Waggle person behind it, and a #channel outside the export no space."""
    return f"`{text.replace('`', '')}`"


@dataclass(frozen=True, slots=True)
class Directory:
    """What the markup converter needs to know about the workspace."""

    #: Slack id -> display name of everyone in users.json (bots too, for their names).
    names: dict[str, str]
    #: Slack ids that become people (a mention of one becomes a Waggle @mention).
    people: frozenset[str]
    #: channel id -> (space key, name), and channel name -> space key (a reference to a
    #: folder that channels.json does not list can only be matched by its name).
    channel_ids: dict[str, tuple[str, str]]
    channel_names: dict[str, str]


EMPTY_DIRECTORY = Directory({}, frozenset(), {}, {})


def slack_to_markdown(text: str, directory: Directory = EMPTY_DIRECTORY) -> str:
    """Waggle markdown for a message in Slack's mrkdwn.

    <@U1> becomes a mention placeholder of that person (or their name, inert, for a bot or
    someone outside users.json); <#C1|name> a link to that channel's space; <url|label> a
    markdown link; <!here>, <!channel> and <!everyone> inert text; *bold*, _italic_ and
    ~strike~ their markdown forms; code spans and blocks are kept verbatim; every line
    break is kept (Slack shows them; markdown would join the lines)."""
    holes: list[str] = []

    def hole(markdown: str) -> str:
        holes.append(markdown)
        return f"\ue000{len(holes) - 1}\ue001"

    def swap(m: re.Match[str]) -> str:
        if m.group("block") is not None:
            code = _plain_refs(m.group("block"), directory).strip("\n")
            return hole(f"\n```\n{code}\n```\n")
        if m.group("code") is not None:
            code = _plain_refs(m.group("code"), directory)
            fence = "``" if "`" in code else "`"
            return hole(f"{fence}{code}{fence}")
        return hole(_reference(m.group("ref"), directory))

    # The private-use characters below stand for converted pieces; a message never needs them.
    prose = _TOKEN.sub(swap, _PRIVATE_USE.sub("", text or ""))
    prose = _BOLD.sub(lambda m: f"{_BOLD_MARK}{m.group(1)}{_BOLD_MARK}", prose)
    prose = _ITALIC.sub(lambda m: f"{_ITALIC_MARK}{m.group(1)}{_ITALIC_MARK}", prose)
    prose = _STRIKE.sub(lambda m: f"{_STRIKE_MARK}{m.group(1)}{_STRIKE_MARK}", prose)
    prose = _escape_prose(_unescape(prose))
    prose = prose.replace(_BOLD_MARK, "**").replace(_ITALIC_MARK, "*")
    prose = prose.replace(_STRIKE_MARK, "~~")
    # A quoted line followed by an unquoted one would pull it into the quote (markdown's
    # lazy continuation); Slack quotes only the lines that start with ">".
    prose = _QUOTE_THEN_TEXT.sub("\\1\n\n", prose)
    prose = _SINGLE_NEWLINE.sub("  \n", prose.strip())
    return _HOLE.sub(lambda m: holes[int(m.group(1))], prose).strip()


def _reference(ref: str, directory: Directory) -> str:
    """Markdown for the inside of one <...> reference."""
    target, _, label = ref.partition("|")
    target, label = _unescape(target), _unescape(label)
    if target.startswith("@"):
        person = target[1:]
        if person in directory.people:
            return mention(person)
        return _inert("@" + (directory.names.get(person) or label or person))
    if target.startswith("#"):
        channel = target[1:]
        key = directory.channel_ids.get(channel, ("", ""))[0] or directory.channel_names.get(
            label
        )
        if key:
            return space_link(key)
        return _inert("#" + (label or channel))
    if target.startswith("!"):
        shown = _special(target[1:], label)
        # @here and a @team have nobody in Waggle behind them; a date is only words.
        return _inert(shown) if shown.startswith("@") else _escape_prose(shown)
    if target.startswith(_SCHEMES):
        url = target.replace(" ", "%20").replace("(", "%28").replace(")", "%29")
        shown = label or (target[len("mailto:"):] if target.startswith("mailto:") else "")
        if not shown or shown == target:
            return f"<{url}>"
        text = _escape_prose(shown).replace("[", r"\[").replace("]", r"\]")
        return f"[{text}]({url})"
    return _escape_prose(label or target)


def _special(command: str, label: str) -> str:
    """The visible text of <!here>, <!subteam^S1|@team>, <!date^...|fallback> and kin."""
    name = command.split("^", 1)[0]
    if name in _SPECIAL:
        return _SPECIAL[name]
    return label or name


def _plain_refs(text: str, directory: Directory) -> str:
    """`text` with references as the words Slack shows for them, entities unescaped."""

    def visible(m: re.Match[str]) -> str:
        target, _, label = m.group(1).partition("|")
        if target.startswith("@"):
            return "@" + (directory.names.get(target[1:]) or label or target[1:])
        if target.startswith("#"):
            known = directory.channel_ids.get(target[1:], ("", ""))[1]
            return "#" + (known or label or target[1:])
        if target.startswith("!"):
            return _special(target[1:], label)
        if target.startswith("mailto:"):
            return label or target[len("mailto:"):]
        return label or target

    return _unescape(re.sub(r"<([^<>]+)>", visible, text))


def slack_to_plain(text: str, directory: Directory = EMPTY_DIRECTORY) -> str:
    """The text a reader sees, without markup: for titles, descriptions and the question
    rule (which then sees "#general" and "@kara" rather than placeholders)."""
    parts = _CODE.split(text or "")
    for i in range(0, len(parts), 2):
        parts[i] = _STRIKE.sub(r"\1", _ITALIC.sub(r"\1", _BOLD.sub(r"\1", parts[i])))
    return _plain_refs("".join(parts), directory).strip()


def make_title(plain: str, fallback: str) -> str:
    """The first line outside code (after a greeting line), cut at its first sentence when
    it is too long for a title; `fallback` when that leaves fewer than TITLE_MIN characters."""
    prose = re.sub(r"```.*?```", "\n", plain, flags=re.S)
    lines = [" ".join(s.lstrip("> ").split()) for s in prose.splitlines()]
    lines = [s for s in lines if s]
    # "Hi all," on a line of its own says nothing about the thread; the next line does.
    while len(lines) > 1 and _GREETING.match(lines[0]):
        lines.pop(0)
    line = lines[0] if lines else ""
    if len(line) > TITLE_MAX:
        end = re.search(r"[.?!](?=\s)", line[:TITLE_MAX])
        if end is not None and end.end() >= TITLE_MIN:
            line = line[: end.end()]
        else:
            line = line[: TITLE_MAX - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
    return line if len(line) >= TITLE_MIN else fallback


def slack_time(ts: str) -> dt.datetime:
    """The aware UTC time of a Slack timestamp ("1604620800.000200"), exact to the
    microsecond (a float would round it)."""
    seconds, _, fraction = ts.partition(".")
    if not seconds.isdigit() or (fraction and not fraction.isdigit()):
        raise ValueError(f"not a Slack timestamp: {ts!r}")
    micro = int((fraction + "000000")[:6])
    try:
        return dt.datetime.fromtimestamp(int(seconds), dt.UTC).replace(microsecond=micro)
    except (OverflowError, OSError) as exc:
        raise ValueError(f"not a Slack timestamp: {ts!r} ({exc})") from exc


def _ts_order(ts: str) -> tuple[int, int]:
    seconds, _, fraction = ts.partition(".")
    return int(seconds), int((fraction + "000000")[:6])


# --- the archive: a folder or a zip, read one file at a time ---------------------------------

class _Archive:
    """The export's files by their path inside the export ("general/2021-03-04.json")."""

    label: str

    def files(self) -> list[str]:
        raise NotImplementedError

    def size(self, name: str) -> int:
        raise NotImplementedError

    def read(self, name: str) -> bytes:
        raise NotImplementedError

    def shown(self, name: str) -> str:
        """The name to put in a message (the member's full name inside a zip)."""
        return name

    def close(self) -> None:
        pass


class _Folder(_Archive):
    def __init__(self, root: Path) -> None:
        self.root = root
        self.label = root.name

    def files(self) -> list[str]:
        names: list[str] = []
        for entry in sorted(self.root.iterdir()):
            if entry.is_file():
                names.append(entry.name)
            elif entry.is_dir():
                names.extend(f"{entry.name}/{f.name}" for f in entry.iterdir() if f.is_file())
        return names

    def size(self, name: str) -> int:
        return (self.root / name).stat().st_size

    def read(self, name: str) -> bytes:
        try:
            return (self.root / name).read_bytes()
        except OSError as exc:
            raise HarvestError(name, "", f"cannot be read: {exc.strerror or exc}") from exc


class _Zip(_Archive):
    """A zipped export, read member by member. The export may sit in one top folder of the
    zip (as when someone zips the unpacked folder); names are then relative to it."""

    def __init__(self, path: Path) -> None:
        self.label = path.stem
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise HarvestError(path.name, "", f"not a readable zip file: {exc}") from exc
        members = {i.filename: i for i in self.zip.infolist() if not i.is_dir()}
        tops = sorted(
            (str(PurePosixPath(n).parent) for n in members
             if PurePosixPath(n).name in (USERS, CHANNELS)),
            key=lambda p: (p.count("/"), p),
        )
        self.prefix = "" if not tops or tops[0] == "." else tops[0] + "/"
        self.members = {
            n[len(self.prefix):]: i for n, i in members.items() if n.startswith(self.prefix)
        }

    def files(self) -> list[str]:
        return sorted(self.members)

    def size(self, name: str) -> int:
        return self.members[name].file_size

    def shown(self, name: str) -> str:
        return self.prefix + name

    def read(self, name: str) -> bytes:
        if name not in self.members:
            raise HarvestError(self.shown(name), "", "missing from the zip")
        try:
            return self.zip.read(self.members[name])
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise HarvestError(self.shown(name), "", f"damaged zip member: {exc}") from exc

    def close(self) -> None:
        self.zip.close()


# --- the source ------------------------------------------------------------------------------

@dataclass(slots=True)
class _Channel:
    """A folder of day files and the space it becomes (its id when channels.json lists it,
    else its folder name)."""

    folder: str
    key: str
    name: str
    description: str
    days: list[str]
    listed: bool
    other_files: int


class SlackSource:
    """A Slack export: users.json -> people, each channel -> a space, each thread -> one
    unit (a question with answers when its first message asks something, else an update
    with comments).

    Units, in this order: people (PEOPLE_PER_UNIT to a unit, bots left out); every space
    (one unit); then for each channel folder by name, a unit counting its messages that
    belong to no imported thread, then its threads by time. Memory: users.json's ids and
    names, and one channel's messages at a time (a thread's replies live in later day
    files), kept as `_Message`s: the fields a thread needs, not the whole JSON.

    Channel folders that channels.json does not list (archived channels in some exports)
    still become spaces, keyed and named by the folder; their description comes from the
    last purpose or topic change found in their messages."""

    kind = "slack"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._namespace: str | None = None
        self._directory: Directory | None = None
        self._people: list[PersonRecord] = []
        self._bots = 0
        self._channel_list: list[_Channel] = []
        self._private = 0

    @property
    def namespace(self) -> str:
        """The workspace's team id (stable across later exports of the same workspace),
        else a slug of the export's file or folder name."""
        if self._namespace is None:
            with self._open() as archive:
                self._load_people(archive)
        assert self._namespace is not None
        return self._namespace

    @namespace.setter
    def namespace(self, value: str) -> None:
        self._namespace = value

    # --- the Source protocol ---

    def check(self) -> None:
        with self._open() as archive:
            names = set(archive.files())
            channels = _channel_folders(names)
            if USERS not in names and CHANNELS not in names and not channels:
                found = sorted(names)[:6]
                raise HarvestError(
                    str(self.path), "",
                    f"unknown layout: expected {LAYOUT}; found "
                    + (", ".join(found) if found else "nothing"),
                )
            for required in (USERS, CHANNELS):
                if required not in names:
                    raise HarvestError(
                        archive.shown(required), "",
                        f"missing: {self.path.name} must hold {LAYOUT}",
                    )
            if not channels:
                raise HarvestError(
                    str(self.path), "",
                    f"unknown layout: no channel folders with YYYY-MM-DD.json files; "
                    f"expected {LAYOUT}",
                )
            self._load_people(archive)
            self._channel_list = self._channels(archive, names)

    def estimate(self) -> int | None:
        with self._open() as archive:
            names = archive.files()
            days = sum(archive.size(n) for n in names if _is_day_file(n))
            people = archive.size(USERS) if USERS in names else 0
            channels = len(_channel_folders(set(names)))
        return people // PERSON_BYTES // PEOPLE_PER_UNIT + 2 + channels + days // THREAD_BYTES

    def units(self) -> Iterator[Unit]:
        self.check()
        with self._open() as archive:
            people = self._people
            for start in range(0, max(len(people), 1), PEOPLE_PER_UNIT):
                unit = Unit(f"{archive.shown(USERS)} people {start + 1}..",
                            list(people[start:start + PEOPLE_PER_UNIT]))
                if start == 0:
                    unit.skipped[BOT_ACCOUNT] += self._bots
                    unit.skipped[PRIVATE] += self._private
                    unit.skipped = +unit.skipped
                yield unit
            directory = self._directory
            assert directory is not None
            # Every space before any thread: a message may link to a channel that sorts
            # after its own, and the writer resolves a link when it writes the message.
            yield Unit(archive.shown(CHANNELS), [
                SpaceRecord(c.key, c.name, c.description if c.listed
                            else _last_purpose(archive, c, directory))
                for c in self._channel_list
            ])
            for channel in self._channel_list:
                yield from _ChannelReader(archive, channel, directory).units()

    # --- reading ---

    def _open(self) -> _ArchiveContext:
        return _ArchiveContext(self.path)

    def _load_people(self, archive: _Archive) -> None:
        if self._directory is not None:
            return
        users = _load_json(archive, USERS)
        if not isinstance(users, list):
            raise HarvestError(archive.shown(USERS), "", "expected a list of users")
        names: dict[str, str] = {}
        people: list[PersonRecord] = []
        teams: Counter[str] = Counter()
        bots = 0
        for index, user in enumerate(users):
            if not isinstance(user, dict) or not isinstance(user.get("id"), str):
                raise HarvestError(
                    archive.shown(USERS), f"user {index + 1} of {len(users)}",
                    "expected an object with an \"id\"",
                )
            profile = user.get("profile") if isinstance(user.get("profile"), dict) else {}
            assert isinstance(profile, dict)
            handle = str(user.get("name") or "")
            name = str(
                user.get("real_name") or profile.get("real_name")
                or profile.get("display_name") or handle or user["id"]
            )
            names[user["id"]] = str(profile.get("display_name") or name)
            if isinstance(user.get("team_id"), str) and user["team_id"]:
                teams[user["team_id"]] += 1
            # Bots and apps write nothing that is imported, so they get no account; their
            # names still show where someone mentions them.
            if user.get("is_bot") or user["id"] == SLACKBOT:
                bots += 1
                continue
            email = str(profile.get("email") or "").strip()
            people.append(PersonRecord(
                key=user["id"], name=name, username=handle,
                emails=(email,) if email else (), bio=str(profile.get("title") or ""),
            ))
        self._people, self._bots = people, bots
        if self._namespace is None:
            fallback = slugify(archive.label) or "slack"
            self._namespace = teams.most_common(1)[0][0] if teams else fallback
        self._directory = Directory(
            names=names, people=frozenset(p.key for p in people), channel_ids={},
            channel_names={},
        )

    def _channels(self, archive: _Archive, names: set[str]) -> list[_Channel]:
        """The channel folders by name, keyed by channels.json where listed, and the
        directory's channel maps filled in."""
        listed: dict[str, dict[str, Any]] = {}
        rows = _load_json(archive, CHANNELS)
        if not isinstance(rows, list):
            raise HarvestError(archive.shown(CHANNELS), "", "expected a list of channels")
        for index, row in enumerate(rows):
            if not (isinstance(row, dict) and isinstance(row.get("id"), str)
                    and isinstance(row.get("name"), str)):
                raise HarvestError(
                    archive.shown(CHANNELS), f"channel {index + 1} of {len(rows)}",
                    "expected an object with an \"id\" and a \"name\"",
                )
            listed[row["name"]] = row
        private = _private_folders(archive, names)
        folders = _channel_folders(names)
        others = Counter(n.split("/")[0] for n in names if "/" in n and not _is_day_file(n))
        directory = self._directory
        assert directory is not None
        channels: list[_Channel] = []
        self._private = len(private & set(folders))
        for folder in sorted(set(folders) | set(listed)):
            if folder in private:
                continue
            row = listed.get(folder)
            key = row["id"] if row is not None else folder
            days = sorted(folders.get(folder, []))
            channels.append(_Channel(folder, key, folder, "", days, row is not None,
                                     others[folder]))
            if row is not None:
                directory.channel_ids[key] = (key, folder)
            directory.channel_names[folder] = key
        # Descriptions last: a purpose may name a channel listed after its own.
        for channel in channels:
            if (row := listed.get(channel.folder)) is not None:
                channel.description = _about(row.get("purpose"), directory) or _about(
                    row.get("topic"), directory
                )
        return channels


class _ArchiveContext:
    """Opens the export as a folder or a zip, and closes it again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.archive: _Archive | None = None

    def __enter__(self) -> _Archive:
        if self.path.is_dir():
            self.archive = _Folder(self.path)
        elif self.path.is_file() and zipfile.is_zipfile(self.path):
            self.archive = _Zip(self.path)
        else:
            what = (
                "does not exist" if not self.path.exists()
                else "unknown layout: neither a folder nor a zip file"
            )
            raise HarvestError(str(self.path), "", f"{what}; expected {LAYOUT}")
        return self.archive

    def __exit__(self, *exc: object) -> None:
        if self.archive is not None:
            self.archive.close()


def _is_day_file(name: str) -> bool:
    parts = name.split("/")
    return len(parts) == 2 and bool(_DAY_FILE.match(parts[1]))


def _channel_folders(names: set[str]) -> dict[str, list[str]]:
    """Folder -> its day files, for every folder that has at least one."""
    folders: dict[str, list[str]] = defaultdict(list)
    for name in names:
        if _is_day_file(name):
            folders[name.split("/")[0]].append(name)
    return folders


def _private_folders(archive: _Archive, names: set[str]) -> set[str]:
    """Folders of private channels and direct conversations (named by id or by name)."""
    folders: set[str] = set()
    for file in PRIVATE_LISTS:
        if file in names:
            rows = _load_json(archive, file)
            for row in rows if isinstance(rows, list) else []:
                if isinstance(row, dict):
                    folders.update(str(row[k]) for k in ("id", "name") if row.get(k))
    return folders


def _about(value: object, directory: Directory) -> str:
    """The text of a channel's purpose or topic ({"value": "..."} in channels.json, a
    plain string in a purpose or topic change message)."""
    if isinstance(value, dict):
        value = value.get("value")
    return slack_to_plain(value, directory) if isinstance(value, str) else ""


def _load_json(archive: _Archive, name: str) -> Any:
    """One file of the export, parsed; a damaged file names itself and the position."""
    data = archive.read(name)
    shown = archive.shown(name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        hint = " (it looks like UTF-16)" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ""
        raise HarvestError(
            shown, f"byte {exc.start} (line {line})",
            f"not UTF-8{hint}: Slack exports are UTF-8; {exc.reason}",
        ) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        problem = exc.msg
        if exc.pos >= len(text.rstrip()):
            problem += " (the file ends early: is it truncated?)"
        raise HarvestError(shown, f"line {exc.lineno}, column {exc.colno}", problem) from exc


# --- one channel -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Message:
    """What the reader keeps of a message while it reads the rest of its channel."""

    ts: str
    file: str
    user: str | None
    text: str
    reason: str | None  # why it is not imported, by its kind alone; None for a person's
    files: tuple[str, ...]  # names of the files it carried (never imported)
    edited: dt.datetime | None

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()


class _ChannelReader:
    """Reads one channel's day files in date order, groups its messages into threads, then
    yields its space and its threads (converted one at a time)."""

    def __init__(self, archive: _Archive, channel: _Channel, directory: Directory) -> None:
        self.archive = archive
        self.channel = channel
        self.directory = directory

    def units(self) -> Iterator[Unit]:
        channel = self.channel
        skipped: Counter[str] = Counter({NOT_MESSAGES: channel.other_files})
        roots: dict[str, _Message] = {}
        replies: dict[str, list[_Message]] = defaultdict(list)
        seen: set[str] = set()
        for name in channel.days:
            for message, parent in _messages(self.archive, name):
                if message.ts in seen:
                    skipped[DUPLICATE] += 1
                    continue
                seen.add(message.ts)
                if parent is not None and parent != message.ts:
                    replies[parent].append(message)
                else:
                    roots[message.ts] = message
        threads: list[tuple[_Message, list[_Message]]] = []
        for ts in sorted(roots, key=_ts_order):
            root = roots[ts]
            answers = sorted(replies.pop(ts, []), key=lambda m: _ts_order(m.ts))
            if _starts_thread(root, answers):
                threads.append((root, answers))
                continue
            # The first message is not imported, so its replies have nothing to hang on.
            if root.reason is not None or not root.files:
                skipped[root.reason or EMPTY] += 1
            skipped[FILE] += len(root.files)
            for reply in answers:
                skipped[reply.reason or UNDER_SKIPPED] += 1
                skipped[FILE] += len(reply.files)
        for ts in sorted(replies, key=_ts_order):
            for reply in replies[ts]:
                skipped[reply.reason or ORPHAN] += 1
                skipped[FILE] += len(reply.files)
        yield Unit(channel.folder, [], +skipped)
        for root, answers in threads:
            yield self._thread(root, answers)

    def _thread(self, root: _Message, replies: Sequence[_Message]) -> Unit:
        """One thread as one unit: a question with answers when its first message asks
        something, else an update with comments."""
        channel = self.channel
        unit = Unit(f"{root.file} thread {root.ts}")
        unit.skipped[FILE] += len(root.files)
        if root.is_empty:
            # People replied to a shared file: the conversation stays, the file does not.
            names = _escape_prose(", ".join(n for n in root.files if n) or "a file")
            body = f"*Shared {names} (the file is not imported).*"
        else:
            body = slack_to_markdown(root.text, self.directory)
        key = f"{channel.key}/{root.ts}"
        # The people a message opens by addressing are neither its title nor its first word
        # ("<@U1> Will you..." asks; "@Will Smith, the slides are up" does not).
        plain = slack_to_plain(_ADDRESSED.sub("", root.text), self.directory)
        is_question = looks_like_question(plain)
        kind: PostKind = "question" if is_question else "update"
        fallback = f"{'Question' if is_question else 'Update'} in #{channel.name}"
        records: list[Record] = [PostRecord(
            key=key, kind=kind, space=channel.key, author=root.user,
            title=make_title(plain, fallback), body=body,
            created_at=slack_time(root.ts), updated_at=root.edited,
        )]
        for reply in replies:
            unit.skipped[FILE] += len(reply.files)
            if reply.reason is not None or reply.is_empty:
                # A shared file without words counts as its file alone.
                if reply.reason is not None or not reply.files:
                    unit.skipped[reply.reason or EMPTY] += 1
                continue
            reply_key = f"{channel.key}/{reply.ts}"
            text = slack_to_markdown(reply.text, self.directory)
            # The asker's own replies (details, "thanks, that worked") are not answers.
            if is_question and (reply.user is None or reply.user != root.user):
                records.append(PostRecord(
                    key=reply_key, kind="answer", space=channel.key, author=reply.user,
                    title="", body=text, created_at=slack_time(reply.ts),
                    updated_at=reply.edited, question=key,
                ))
            else:
                records.append(CommentRecord(
                    key=reply_key, post=key, author=reply.user, body=text,
                    created_at=slack_time(reply.ts),
                ))
        unit.records = records
        unit.skipped = +unit.skipped
        return unit


def _rows(archive: _Archive, name: str) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(where, row, ts) for each message of a day file, checked for what every reader needs."""
    rows = _load_json(archive, name)
    shown = archive.shown(name)
    if not isinstance(rows, list):
        raise HarvestError(shown, "", f"expected a list of messages, found {type(rows).__name__}")
    for index, row in enumerate(rows):
        where = f"message {index + 1} of {len(rows)}"
        if not isinstance(row, dict):
            raise HarvestError(shown, where, "expected a message object")
        ts = row.get("ts")
        if not isinstance(ts, str):
            raise HarvestError(shown, where, "the message has no \"ts\" (timestamp)")
        try:
            slack_time(ts)
        except ValueError as exc:
            raise HarvestError(shown, where, str(exc)) from exc
        text = row.get("text")
        if text is not None and not isinstance(text, str):
            raise HarvestError(shown, where, "the message's \"text\" is not a string")
        yield where, row, ts


def _messages(archive: _Archive, name: str) -> Iterator[tuple[_Message, str | None]]:
    """(message, its thread_ts) for each message of a day file."""
    shown = archive.shown(name)
    for _, row, ts in _rows(archive, name):
        parent = row.get("thread_ts")
        files = row.get("files")
        message = _Message(
            ts=ts, file=shown, user=_author(row), text=row.get("text") or "",
            reason=_skip_reason(row),
            files=tuple(
                str(f.get("title") or f.get("name") or "") if isinstance(f, dict) else ""
                for f in files
            ) if isinstance(files, list) else (),
            edited=_edited(row),
        )
        yield message, parent if isinstance(parent, str) else None


def _last_purpose(archive: _Archive, channel: _Channel, directory: Directory) -> str:
    """A channel folder channels.json does not list has no description there: the last
    purpose (else topic) it was given in its own messages. Costs one extra read of such
    folders, which are few and small (archived channels)."""
    changes: dict[str, str] = {}
    for name in channel.days:
        for _, row, _ in _rows(archive, name):
            subtype = row.get("subtype")
            if subtype in ("channel_purpose", "channel_topic"):
                changes[subtype] = _about(row.get(subtype[len("channel_"):]), directory)
    return changes.get("channel_purpose") or changes.get("channel_topic") or ""


def _starts_thread(root: _Message, replies: Sequence[_Message]) -> bool:
    """Whether a first message is imported: a person's words, or a file people answered."""
    if root.reason is not None:
        return False
    return not root.is_empty or (
        bool(root.files) and any(r.reason is None and not r.is_empty for r in replies)
    )


def _skip_reason(data: dict[str, Any]) -> str | None:
    """Why a message is not imported, judged by its kind alone (not by its text)."""
    subtype = data.get("subtype")
    if subtype in _JOIN_LEAVE_SUBTYPES:
        return JOIN_LEAVE
    if subtype == "tombstone":
        return DELETED
    if subtype == "bot_message":
        return BOT
    if subtype not in _CONTENT_SUBTYPES:
        return EVENT
    # Apps also post with a person's subtype; their bot_id (or Slackbot's id) tells.
    if data.get("bot_id") or data.get("user") == SLACKBOT:
        return BOT
    return None


def _author(data: dict[str, Any]) -> str | None:
    user = data.get("user")
    return user if isinstance(user, str) and user else None


def _edited(data: dict[str, Any]) -> dt.datetime | None:
    edited = data.get("edited")
    ts = edited.get("ts") if isinstance(edited, dict) else None
    if not isinstance(ts, str):
        return None
    try:
        return slack_time(ts)
    except ValueError:
        return None
