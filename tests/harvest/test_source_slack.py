"""The Slack export reader on the real export in ../shared/data (as a folder and as a zip), on
small hand-written exports for the rules, and on damaged copies of the real files."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import time
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from waggle.core.markdown import extract_mentions, extract_topics, render_markdown
from waggle.harvest.records import (
    CommentRecord,
    HarvestError,
    PersonRecord,
    PostRecord,
    SpaceRecord,
    Unit,
    mention,
    space_link,
)
from waggle.harvest.rules import looks_like_question
from waggle.harvest.sources import open_source
from waggle.harvest.sources.slack import (
    Directory,
    SlackSource,
    make_title,
    slack_time,
    slack_to_markdown,
    slack_to_plain,
)

EXPORT = "slack-r-contributors"
# The verified counts in ../shared/data/README.md, to catch a wrong independent count too.
README_COUNTS = {
    "users": 1150, "channels listed": 20, "channel folders": 33, "messages": 12574,
    "bot_message": 4869, "channel_join": 1487, "thread parents": 774, "replies": 3447,
}
DAY_FILE = re.compile(r"^\d{4}-\d{2}-\d{2}\.json$")
MESSAGE_REASONS = (
    "bot message", "join or leave", "channel event", "deleted message", "empty message",
    "reply to a skipped message", "reply to a missing message",
)

T = TypeVar("T")


@dataclass
class Parsed:
    units: list[Unit]
    seconds: float

    def records(self, kind: type[T]) -> list[T]:
        return [r for u in self.units for r in u.records if isinstance(r, kind)]

    def skipped(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for unit in self.units:
            total.update(unit.skipped)
        return total


def parse(path: Path) -> Parsed:
    started = time.perf_counter()
    units = list(SlackSource(path).units())
    return Parsed(units, time.perf_counter() - started)


# --- what the files hold, read with json alone ----------------------------------------------

def read_folders(root: Path) -> dict[str, list[dict[str, Any]]]:
    """Channel folder -> its messages, day files in date order."""
    return {
        folder.name: [m for day in sorted(folder.glob("*.json")) if DAY_FILE.match(day.name)
                      for m in json.loads(day.read_text(encoding="utf-8"))]
        for folder in sorted(root.iterdir()) if folder.is_dir()
    }


def reason_for(message: dict[str, Any]) -> str | None:
    """The documented rule, restated: why a message is not a person writing."""
    subtype = message.get("subtype")
    if subtype in ("channel_join", "channel_leave", "group_join", "group_leave",
                   "welcome_party"):
        return "join or leave"
    if subtype == "tombstone":
        return "deleted message"
    if subtype == "bot_message":
        return "bot message"
    if subtype not in (None, "thread_broadcast", "reply_broadcast", "me_message", "file_share"):
        return "channel event"
    if message.get("bot_id") or message.get("user") == "USLACKBOT":
        return "bot message"
    return None


def expected_counts(folders: dict[str, list[dict[str, Any]]]) -> Counter[str]:
    """Threads, posts by kind, comments and skipped messages by reason, from the raw JSON."""
    c: Counter[str] = Counter()
    for messages in folders.values():
        roots = [m for m in messages if m.get("thread_ts", m["ts"]) == m["ts"]]
        replies: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for m in messages:
            if m.get("thread_ts", m["ts"]) != m["ts"]:
                replies[m["thread_ts"]].append(m)
        for root in roots:
            answers = replies.pop(root["ts"], [])
            c["file attachment"] += sum(len(m.get("files", [])) for m in [root, *answers])
            by_people = [m for m in answers if reason_for(m) is None and m["text"].strip()]
            text = root["text"].strip()
            if reason_for(root) is not None or not (text or (root.get("files") and by_people)):
                if reason_for(root) or not root.get("files"):
                    c[reason_for(root) or "empty message"] += 1
                for m in answers:
                    c[reason_for(m) or "reply to a skipped message"] += 1
                continue
            c["thread"] += 1
            opening = re.sub(r"^(\s*<@[^<>]+>[\s,:;.!-]*)+", "", root["text"])
            question = looks_like_question(slack_to_plain(opening))
            c["question" if question else "update"] += 1
            for m in answers:
                if reason_for(m) is not None:
                    c[reason_for(m) or ""] += 1
                elif not m["text"].strip():
                    c["empty message"] += 0 if m.get("files") else 1
                elif question and m.get("user") != root.get("user"):
                    c["answer"] += 1
                else:
                    c["comment"] += 1
        for orphans in replies.values():
            for m in orphans:
                c[reason_for(m) or "reply to a missing message"] += 1
                c["file attachment"] += len(m.get("files", []))
    return c


def found_counts(parsed: Parsed) -> Counter[str]:
    posts = parsed.records(PostRecord)
    c: Counter[str] = Counter(str(p.kind) for p in posts)
    c["thread"] = c["question"] + c["update"]
    c["comment"] = len(parsed.records(CommentRecord))
    skipped = parsed.skipped()
    c.update({k: skipped[k] for k in (*MESSAGE_REASONS, "file attachment")})
    return +c


# --- the real export ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def export(shared_data: Path) -> Path:
    return shared_data / EXPORT


@pytest.fixture(scope="module")
def parsed(export: Path) -> Parsed:
    result = parse(export)
    print(f"\n{EXPORT}: {len(result.units)} units parsed in {result.seconds:.2f} s")
    return result


@pytest.fixture(scope="module")
def folders(export: Path) -> dict[str, list[dict[str, Any]]]:
    return read_folders(export)


def test_independent_reading_agrees_with_the_readme(
    export: Path, folders: dict[str, list[dict[str, Any]]]
) -> None:
    messages = [m for ms in folders.values() for m in ms]
    other_files = sum(
        len(json.loads(f.read_text(encoding="utf-8")))
        for f in export.glob("*/*.json") if not DAY_FILE.match(f.name)
    )
    found = {
        "users": len(json.loads((export / "users.json").read_text(encoding="utf-8"))),
        "channels listed": len(json.loads((export / "channels.json").read_text(encoding="utf-8"))),
        "channel folders": len(folders),
        "messages": len(messages) + other_files,
        "bot_message": sum(m.get("subtype") == "bot_message" for m in messages),
        "channel_join": sum(m.get("subtype") == "channel_join" for m in messages),
        "thread parents": sum("reply_count" in m for m in messages),
        "replies": sum(m.get("thread_ts", m["ts"]) != m["ts"] for m in messages),
    }
    assert found == README_COUNTS


def test_real_export_counts_equal_the_files(
    parsed: Parsed, folders: dict[str, list[dict[str, Any]]]
) -> None:
    expected = expected_counts(folders)
    assert found_counts(parsed) == +expected
    # The README's categories are inside the reasons: every bot_message and channel_join.
    skipped = parsed.skipped()
    assert skipped["bot message"] >= README_COUNTS["bot_message"]
    assert skipped["join or leave"] >= README_COUNTS["channel_join"]
    assert skipped["not a day file"] == 10  # the channels' canvas_in_the_conversation.json
    # Every message is either imported or counted, except shared files without a word,
    # which count as the file they carried.
    messages = sum(len(ms) for ms in folders.values())
    silent_files = sum(
        1 for ms in folders.values() for m in ms
        if m.get("files") and not m["text"].strip() and reason_for(m) is None
    )
    answered_files = sum(p.body.startswith("*Shared ") for p in parsed.records(PostRecord))
    imported = len(parsed.records(PostRecord)) + len(parsed.records(CommentRecord))
    assert answered_files == 1
    assert imported + sum(skipped[r] for r in MESSAGE_REASONS) == (
        messages - silent_files + answered_files
    )


def test_people_are_the_users_without_bots(export: Path, parsed: Parsed) -> None:
    users = json.loads((export / "users.json").read_text(encoding="utf-8"))
    humans = {u["id"]: u for u in users if not u.get("is_bot")}
    people = {p.key: p for p in parsed.records(PersonRecord)}
    assert set(people) == set(humans)
    assert parsed.skipped()["bot account"] == len(users) - len(humans) == 15
    kara = people["U01DY0U758E"]
    assert (kara.name, kara.username, kara.emails) == ("Kara Woo (she/her)", "woo.kara", ())
    assert SlackSource(export).namespace == "T01DW9DLB2A"  # the workspace, not the folder


def test_listed_channels_keep_their_ids_and_extra_folders_become_spaces(
    export: Path, parsed: Parsed, folders: dict[str, list[dict[str, Any]]]
) -> None:
    listed = {c["name"]: c for c in json.loads((export / "channels.json").read_text())}
    spaces = {s.name: s for s in parsed.records(SpaceRecord)}
    assert set(spaces) == set(folders) and len(spaces) == 33
    for name, space in spaces.items():
        assert space.key == (listed[name]["id"] if name in listed else name)
    assert spaces["core-dev-help"].description == listed["core-dev-help"]["purpose"]["value"]
    # A folder channels.json does not list (an archived channel) takes the purpose it was
    # last given in its own messages.
    purposes = [m["purpose"] for m in folders["gsod"] if m.get("subtype") == "channel_purpose"]
    assert spaces["gsod"].description == purposes[-1] != ""


def test_a_thread_is_one_unit_in_time_order(parsed: Parsed) -> None:
    space_of_folder = {s.name: s.key for s in parsed.records(SpaceRecord)}
    last: dict[str, dt.datetime] = {}
    keys: set[str] = set()
    for unit in parsed.units:
        posts = [r for r in unit.records if isinstance(r, PostRecord)]
        if not posts:
            continue
        root, rest = posts[0], unit.records[1:]
        assert root.kind in ("question", "update") and root.key not in keys
        assert root.key.startswith(space_of_folder[unit.where.split("/")[0]] + "/")
        assert root.created_at.tzinfo is dt.UTC and 5 <= len(root.title) <= 300
        for r in rest:
            assert isinstance(r, PostRecord | CommentRecord)
            if isinstance(r, PostRecord):
                assert (r.kind, r.question) == ("answer", root.key) and root.kind == "question"
            else:
                assert r.post == root.key
            assert r.created_at >= root.created_at and r.key not in keys
            keys.add(r.key)
        assert last.get(root.space, root.created_at) <= root.created_at
        last[root.space] = root.created_at
        keys.add(root.key)


def test_a_real_question_reads_as_written(parsed: Parsed) -> None:
    unit = next(u for u in parsed.units if u.where.endswith("thread 1651138265.338539"))
    assert unit.where == "core-dev-help/2022-04-28.json thread 1651138265.338539"
    question, answer, thanks = unit.records[:3]
    assert isinstance(question, PostRecord) and isinstance(answer, PostRecord)
    assert (question.kind, question.key, question.author) == (
        "question", "C01ESS92UMN/1651138265.338539", "U03E047GJJU"
    )
    # "Hi," alone on the first line is no title.
    assert question.title.startswith("I was checking on how to enable binaries for R for s390x")
    assert question.created_at == dt.datetime(2022, 4, 28, 9, 31, 5, 338539, tzinfo=dt.UTC)
    assert question.body.startswith("Hi,  \nI was checking")
    assert "<https://cran.asia/bin/linux/ubuntu/>" in question.body
    assert (answer.kind, answer.author) == ("answer", "U01KXU8UNRX")
    # The asker's own reply is a comment on the question, with the mention kept.
    assert isinstance(thanks, CommentRecord) and thanks.author == question.author
    assert thanks.body.startswith(f"Hi {mention('U01KXU8UNRX')}, Thanks for the info.")


def test_zip_gives_the_same_units_as_the_folder(
    export: Path, parsed: Parsed, tmp_path: Path
) -> None:
    """Zipped as people do it (the folder itself inside the zip), read member by member."""
    archive = tmp_path / "r-contributors.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for file in sorted(export.rglob("*")):
            if file.is_file():
                zf.write(file, f"{EXPORT}/{file.relative_to(export)}")
    zipped = parse(archive)
    print(f"\nthe same export zipped: parsed in {zipped.seconds:.2f} s")
    assert [(u.records, u.skipped) for u in zipped.units] == [
        (u.records, u.skipped) for u in parsed.units
    ]
    assert zipped.units[-1].where == f"{EXPORT}/{parsed.units[-1].where}"
    assert open_source("slack", [archive]).namespace == "T01DW9DLB2A"


def test_order_does_not_depend_on_the_order_files_were_written(
    export: Path, tmp_path: Path
) -> None:
    forward, backward = tmp_path / "forward", tmp_path / "backward"
    for copy, order in ((forward, sorted), (backward, lambda xs: sorted(xs, reverse=True))):
        copy.mkdir()
        for name in ("users.json", "channels.json"):
            shutil.copy(export / name, copy / name)
        for folder in order(["outreachy", "core-translation-es", "core-dev-help"]):
            (copy / folder).mkdir()
            for day in order(list((export / folder).iterdir())):
                shutil.copy(day, copy / folder / day.name)
    first, second = parse(forward).units, parse(backward).units
    assert [(u.where, u.records, u.skipped) for u in first] == [
        (u.where, u.records, u.skipped) for u in second
    ]


# --- markup ------------------------------------------------------------------------------

DIRECTORY = Directory(
    names={"U1": "kara", "B1": "github"}, people=frozenset({"U1"}),
    channel_ids={"C1": ("C1", "general")}, channel_names={"general": "C1", "gsod": "gsod"},
)


@pytest.mark.parametrize(("slack", "markdown"), [
    ("thanks <@U1>!", f"thanks {mention('U1')}!"),
    ("thanks <@U1|kara>", f"thanks {mention('U1')}"),
    ("ask <@B1> or <@U9|ghost>", "ask `@github` or `@ghost`"),
    ("see <#C1|general> and <#C1>", f"see {space_link('C1')} and {space_link('C1')}"),
    ("old <#C7|gsod>, hidden <#C8|secret>", f"old {space_link('gsod')}, hidden `#secret`"),
    ("<https://r-project.org|the R site>", "[the R site](https://r-project.org)"),
    ("<https://r-project.org>", "<https://r-project.org>"),
    ("<https://x.org/a_(b)|x> <https://y.org|https://y.org>",
     "[x](https://x.org/a_%28b%29) <https://y.org>"),
    ("<mailto:kara@example.org|kara@example.org>",
     "[kara@example.org](mailto:kara@example.org)"),
    ("<!here> <!channel> <!everyone> <!subteam^S1|@core>",
     "`@here` `@channel` `@everyone` `@core`"),
    ("due <!date^1392734382^{date}|Feb 18th>", "due Feb 18th"),
    ("*bold* _italic_ ~gone~ *two words*", "**bold** *italic* ~~gone~~ **two words**"),
    ("*see <https://x.org|this>*", "**see [this](https://x.org)**"),
    ("snake_case a*b*c 2 * 3 __init__", r"snake\_case a\*b\*c 2 \* 3 \_\_init\_\_"),
    ("&lt;b&gt; &amp; &amp;copy;", r"<b> & \&copy;"),
    ("run `x &lt;- 1` *now*", "run `x <- 1` **now**"),
    ("like ```x &lt;- c(1, *2*)\n\n\ny``` this",
     "like \n```\nx <- c(1, *2*)\n\n\ny\n```\n this"),
    ("line one\nline two\n\nnew paragraph", "line one  \nline two\n\nnew paragraph"),
    ("&gt; quoted\nanswer", "> quoted\n\nanswer"),
    ("# not a heading", r"\# not a heading"),
])
def test_slack_markup_becomes_markdown(slack: str, markdown: str) -> None:
    assert slack_to_markdown(slack, DIRECTORY) == markdown


@pytest.mark.parametrize("slack", ["<!here> look", "<!channel>", "<!everyone>",
                                   "<@B1> said", "<!subteam^S1|@core-team>"])
def test_broadcasts_and_unknown_people_never_become_mentions(slack: str) -> None:
    markdown = slack_to_markdown(slack, DIRECTORY)
    assert extract_mentions(markdown) == [] and "@" in render_markdown(markdown)


def test_unknown_channels_do_not_become_topics() -> None:
    assert extract_topics(slack_to_markdown("in <#C8|secret-plans>", DIRECTORY)) == []


def test_plain_text_is_what_a_reader_sees() -> None:
    assert slack_to_plain("*Hi* <@U1>, see <#C1> and <https://x.org|this> &amp; `a *b*`",
                          DIRECTORY) == "Hi @kara, see #general and this & `a *b*`"


@pytest.mark.parametrize(("plain", "title"), [
    ("How do I build R on Windows?\nDetails follow", "How do I build R on Windows?"),
    ("Hi all,\nHow do I build R?", "How do I build R?"),
    ("Hello everyone!\n\nIs there a C API for this?", "Is there a C API for this?"),
    ("Hi everyone, I am new here and want to help", "Hi everyone, I am new here and want to help"),
    ("```code first```\nthen words", "then words"),
    ("ok?", "Question in #general"),
    ("A" * 20 + ". " + "b " * 200, "A" * 20 + "."),
])
def test_titles(plain: str, title: str) -> None:
    assert make_title(plain, "Question in #general") == title


def test_long_lines_without_a_sentence_end_are_cut_at_a_word() -> None:
    title = make_title("word " * 100, "x")
    assert len(title) <= 300 and title.endswith("word…")


def test_slack_times_are_exact_aware_utc() -> None:
    assert slack_time("1604620800.000200") == dt.datetime(
        2020, 11, 6, 0, 0, 0, 200, tzinfo=dt.UTC
    )
    with pytest.raises(ValueError):
        slack_time("yesterday")


# --- rules, on small exports written by the tests ------------------------------------------

def write_export(root: Path, days: dict[str, list[dict[str, Any]]],
                 users: list[dict[str, Any]] | None = None,
                 channels: list[dict[str, Any]] | None = None) -> Path:
    """An export with `days` as {"channel/YYYY-MM-DD": [messages]}."""
    root.mkdir(parents=True, exist_ok=True)
    default_users = [
        {"id": "U1", "team_id": "T9", "name": "ana", "real_name": "Ana Asker",
         "profile": {"email": "ana@example.org", "display_name": "ana", "title": "Engineer"}},
        {"id": "U2", "team_id": "T9", "name": "ben", "profile": {"real_name": "Ben Helper"}},
        {"id": "U3", "team_id": "T9", "name": "bot", "is_bot": True, "profile": {}},
    ]
    (root / "users.json").write_text(json.dumps(default_users if users is None else users))
    listed = [{"id": "C1", "name": "general", "purpose": {"value": "Talk about <#C1>"}}]
    (root / "channels.json").write_text(json.dumps(listed if channels is None else channels))
    for name, messages in days.items():
        (root / f"{name}.json").parent.mkdir(exist_ok=True)
        (root / f"{name}.json").write_text(json.dumps(messages))
    return root


def msg(ts: str, text: str, user: str = "U1", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "ts": ts, "user": user, "text": text, **extra}


def test_question_thread_across_days(tmp_path: Path) -> None:
    export = write_export(tmp_path / "acme", {
        "general/2021-03-04": [
            msg("100.000001", "Does *anyone* know how to build R on Windows?",
                thread_ts="100.000001", edited={"user": "U1", "ts": "160.000000"}),
            msg("101.000000", "", subtype="channel_join", user="U2"),
            msg("102.000000", "Use Rtools, see <https://cran.r-project.org|CRAN>", user="U2",
                thread_ts="100.000001", files=[{"name": "log.txt"}]),
            msg("103.000000", "", user="U2", thread_ts="100.000001", files=[{"name": "a.png"}]),
            msg("104.000000", "Build finished", subtype="bot_message", bot_id="B1",
                thread_ts="100.000001"),
        ],
        "general/2021-03-05": [
            msg("90000.000000", "Thanks <@U2>, that worked", thread_ts="100.000001"),
        ],
    })
    parsed = parse(export)
    thread = parsed.units[-1]
    question, answer, thanks = thread.records
    assert isinstance(question, PostRecord) and isinstance(answer, PostRecord)
    assert (question.key, question.kind, question.space) == ("C1/100.000001", "question", "C1")
    assert question.title == "Does anyone know how to build R on Windows?"
    assert question.body == "Does **anyone** know how to build R on Windows?"
    assert question.updated_at == dt.datetime(1970, 1, 1, 0, 2, 40, tzinfo=dt.UTC)
    assert (answer.kind, answer.question, answer.author) == ("answer", question.key, "U2")
    assert answer.body == "Use Rtools, see [CRAN](https://cran.r-project.org)"
    assert thanks == CommentRecord("C1/90000.000000", question.key, "U1",
                                   f"Thanks {mention('U2')}, that worked",
                                   slack_time("90000.000000"))
    assert thread.skipped == Counter({"file attachment": 2, "bot message": 1})
    assert parsed.units[1].records == [SpaceRecord("C1", "general", "Talk about #general")]
    assert parsed.units[-2] == Unit("general", [], Counter({"join or leave": 1}))


def test_statement_thread_is_an_update_with_comments(tmp_path: Path) -> None:
    export = write_export(tmp_path / "acme", {"general/2021-03-04": [
        msg("100.0", "R 4.1 is out", thread_ts="100.0"),
        msg("101.0", "Great news", user="U2", thread_ts="100.0"),
        msg("102.0", "Agreed", thread_ts="100.0"),
        msg("103.0", "ok"),
    ]})
    units = parse(export).units
    update, comment, own = units[-2].records
    assert isinstance(update, PostRecord) and update.kind == "update"
    assert update.title == "R 4.1 is out"
    assert [type(r) for r in (comment, own)] == [CommentRecord, CommentRecord]
    lone = units[-1].records[0]
    assert isinstance(lone, PostRecord) and lone.title == "Update in #general"


def test_people_addressed_first_are_not_the_title_nor_the_question(tmp_path: Path) -> None:
    export = write_export(tmp_path / "acme", {"general/2021-03-04": [
        msg("100.0", "<@U2>, can you review my patch"),
        msg("101.0", "<@U2|will> <@U1> the slides are up"),
    ]}, users=[{"id": "U1", "name": "ana"}, {"id": "U2", "name": "will", "real_name": "Will"}])
    asked, told = parse(export).records(PostRecord)
    assert (asked.kind, asked.title) == ("question", "can you review my patch")
    assert (told.kind, told.title) == ("update", "the slides are up")
    assert told.body == f"{mention('U2')} {mention('U1')} the slides are up"


def test_replies_without_their_first_message(tmp_path: Path) -> None:
    """A reply whose first message is absent has nothing to hang on: it is counted, not
    promoted (promoting would make "+1" or "fixed now" a thread of its own)."""
    export = write_export(tmp_path / "acme", {"general/2021-03-04": [
        msg("200.0", "I agree", thread_ts="100.0"),
        msg("201.0", "Deploy done", subtype="bot_message", bot_id="B1", thread_ts="150.0"),
        msg("202.0", "nice", user="U2", thread_ts="150.0"),
        msg("150.0", "Deploy started", subtype="bot_message", bot_id="B1"),
    ]})
    parsed = parse(export)
    assert parsed.records(PostRecord) == [] and parsed.records(CommentRecord) == []
    assert parsed.units[-1].skipped == Counter({
        "reply to a missing message": 1, "bot message": 2, "reply to a skipped message": 1,
    })


def test_a_shared_file_that_people_answered_keeps_its_thread(tmp_path: Path) -> None:
    export = write_export(tmp_path / "acme", {"general/2021-03-04": [
        msg("100.0", "", files=[{"title": "crash_log.png"}], thread_ts="100.0"),
        msg("101.0", "That is a segfault in the C code", user="U2", thread_ts="100.0"),
        msg("102.0", "", files=[{"title": "alone.png"}]),
        msg("103.0", ""),
    ]})
    parsed = parse(export)
    update, comment = parsed.units[-1].records
    assert isinstance(update, PostRecord) and update.kind == "update"
    assert update.body == r"*Shared crash\_log.png (the file is not imported).*"
    assert isinstance(comment, CommentRecord)
    assert parsed.skipped() == Counter({
        "file attachment": 2, "empty message": 1, "bot account": 1,
    })


def test_people_with_emails_bots_left_out_and_namespace(tmp_path: Path) -> None:
    export = write_export(tmp_path / "acme", {"general/2021-03-04": [msg("1.0", "hello")]})
    source = SlackSource(export)
    source.check()
    assert source.namespace == "T9"
    people = parse(export).records(PersonRecord)
    assert people == [
        PersonRecord("U1", "Ana Asker", "ana", ("ana@example.org",), bio="Engineer"),
        PersonRecord("U2", "Ben Helper", "ben"),
    ]
    no_team = write_export(tmp_path / "Old Export", {"general/2021-03-04": [msg("1.0", "hi")]},
                           users=[{"id": "U1", "name": "ana"}])
    assert SlackSource(no_team).namespace == "old-export"


def test_private_channels_and_direct_messages_are_never_imported(tmp_path: Path) -> None:
    export = write_export(tmp_path / "acme", {
        "general/2021-03-04": [msg("1.0", "hello all")],
        "D123/2021-03-04": [msg("2.0", "a private word")],
        "hiring/2021-03-04": [msg("3.0", "salary talk")],
    })
    (export / "dms.json").write_text(json.dumps([{"id": "D123", "members": ["U1", "U2"]}]))
    (export / "groups.json").write_text(json.dumps([{"id": "G1", "name": "hiring"}]))
    parsed = parse(export)
    assert [s.key for s in parsed.records(SpaceRecord)] == ["C1"]
    assert [p.body for p in parsed.records(PostRecord)] == ["hello all"]
    assert parsed.skipped()["private channel or direct messages (not imported)"] == 2


# --- damaged and unknown archives -----------------------------------------------------------

@pytest.fixture
def small(export: Path, tmp_path: Path) -> Path:
    """Two real channels with the real users.json and channels.json."""
    copy = tmp_path / "small"
    copy.mkdir()
    for name in ("users.json", "channels.json"):
        shutil.copy(export / name, copy / name)
    for folder in ("core-translation-es", "outreachy"):
        shutil.copytree(export / folder, copy / folder)
    return copy


SPANISH = "core-translation-es/2023-11-24.json"  # has "é" and fits in Latin-1


def error_of(path: Path) -> tuple[HarvestError, list[Unit]]:
    """The error reading `path`, and the units yielded before it."""
    units: list[Unit] = []
    with pytest.raises(HarvestError) as caught:
        for unit in SlackSource(path).units():
            units.append(unit)
    return caught.value, units


def test_truncated_day_file_names_file_and_position(small: Path) -> None:
    whole = (small / SPANISH).read_text(encoding="utf-8")
    (small / SPANISH).write_text(whole[: len(whole) // 2], encoding="utf-8")
    error, units = error_of(small)
    assert error.path == SPANISH
    assert re.fullmatch(r"line \d+, column \d+", error.position)
    assert "truncated" in error.problem
    # Nothing of the damaged channel was yielded (never half a channel, so never half a
    # thread); the people before it were.
    assert units and not any(u.where.startswith("core-translation-es") for u in units)


def test_malformed_json_names_the_line(small: Path) -> None:
    lines = (small / SPANISH).read_text(encoding="utf-8").splitlines()
    bad = next(i for i, line in enumerate(lines) if line.rstrip().endswith(",") and i > 10)
    lines[bad] = lines[bad].rstrip()[:-1] + ";"
    (small / SPANISH).write_text("\n".join(lines), encoding="utf-8")
    error, _ = error_of(small)
    assert str(error).startswith(f"{SPANISH}, line {bad + 1}, column ")
    assert "delimiter" in error.problem


def test_latin1_file_names_the_byte(small: Path) -> None:
    data = (small / SPANISH).read_text(encoding="utf-8").encode("latin-1")
    (small / SPANISH).write_bytes(data)
    first_high = next(i for i, b in enumerate(data) if b >= 0x80)
    error, _ = error_of(small)
    line = data[:first_high].count(b"\n") + 1
    assert (error.path, error.position) == (SPANISH, f"byte {first_high} (line {line})")
    assert "not UTF-8" in error.problem


def test_utf16_file_says_so(small: Path) -> None:
    (small / SPANISH).write_bytes((small / SPANISH).read_text(encoding="utf-8").encode("utf-16"))
    error, _ = error_of(small)
    assert (error.path, error.position) == (SPANISH, "byte 0 (line 1)")
    assert "UTF-16" in error.problem


def test_day_file_that_is_not_a_list_of_messages(small: Path) -> None:
    (small / SPANISH).write_text('{"ts": "1.0"}')
    error, _ = error_of(small)
    assert str(error) == f"{SPANISH}: expected a list of messages, found dict"


def test_message_without_ts_names_its_index(small: Path) -> None:
    messages = json.loads((small / SPANISH).read_text(encoding="utf-8"))
    del messages[2]["ts"]
    (small / SPANISH).write_text(json.dumps(messages))
    error, _ = error_of(small)
    assert (error.path, error.position) == (SPANISH, f"message 3 of {len(messages)}")
    assert "ts" in error.problem


@pytest.mark.parametrize("missing", ["users.json", "channels.json"])
def test_missing_required_file_stops_before_anything(small: Path, missing: str) -> None:
    (small / missing).unlink()
    with pytest.raises(HarvestError) as caught:
        SlackSource(small).check()
    assert caught.value.path == missing and "missing" in caught.value.problem
    error, units = error_of(small)
    assert error.path == missing and units == []


def test_unknown_layouts(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    note = tmp_path / "notes.txt"
    note.write_text("not an export")
    fake_zip = tmp_path / "export.zip"
    fake_zip.write_bytes(b"PK\x03\x04 but nothing more")
    no_channels = write_export(tmp_path / "no-channels", {})
    for path in (empty, note, fake_zip, tmp_path / "nowhere", no_channels):
        with pytest.raises(HarvestError) as caught:
            SlackSource(path).check()
        assert str(path) in str(caught.value) and "users.json, channels.json" in str(caught.value)
        assert ("does not exist" if path.name == "nowhere" else "unknown layout") in str(
            caught.value
        )


def test_damaged_zip_member_is_named(small: Path, tmp_path: Path) -> None:
    archive = tmp_path / "small.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as zf:
        for file in sorted(small.rglob("*.json")):
            zf.write(file, file.relative_to(small).as_posix())
    data = bytearray(archive.read_bytes())
    at = data.index(b'"ts"', data.index(SPANISH.encode()))
    data[at + 1] = ord("x")  # the member's bytes no longer match its CRC
    archive.write_bytes(bytes(data))
    error, units = error_of(archive)
    assert error.path == SPANISH and "damaged zip member" in error.problem
    assert units and not any(u.where.startswith("core-translation-es") for u in units)
