"""The mail archive reader on the real list archives and Enron mailboxes in ../shared/data,
and on small mailboxes and damaged copies the tests write: messages seen, threads, bodies
(quotes, signatures, charsets, HTML), people and their aliases, errors that name the place."""

from __future__ import annotations

import base64
import bz2
import datetime as dt
import gzip
import lzma
import mailbox
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from waggle.harvest.records import (
    CommentRecord,
    HarvestError,
    PersonRecord,
    PostRecord,
    SpaceRecord,
    Unit,
)
from waggle.harvest.sources.mbox import (
    ATTACHMENT,
    DUPLICATE,
    EMPTY_MESSAGE,
    MESSAGE_SKIPS,
    NO_DATE,
    UNKNOWN_CHARSET,
    WRONG_CHARSET,
    MboxSource,
)

LISTS = "mailing-lists-mbox"
NUMPY = "numpy-discussion-2001-November.txt"
ENRON_SAMPLE = (
    "allen-p.mbox",
    "bass-e.mbox",
    "benson-r.mbox",
    "germany-c.mbox",
    "horton-s.deleted_items.mbox",
)


@dataclass
class Parsed:
    """Everything a source yielded, indexed the way the tests look at it."""

    units: list[Unit]
    posts: dict[str, PostRecord] = field(default_factory=dict)
    comments: dict[str, CommentRecord] = field(default_factory=dict)
    people: dict[str, PersonRecord] = field(default_factory=dict)
    spaces: dict[str, SpaceRecord] = field(default_factory=dict)
    skipped: dict[str, Counter[str]] = field(default_factory=dict)  # by space key

    def space_of(self, unit: Unit) -> str | None:
        for r in unit.records:
            if isinstance(r, SpaceRecord):
                return r.key
            if isinstance(r, PostRecord):
                return r.space
        # A thread unit left empty (its one message skipped) says where it is.
        return unit.where.split(", message ")[0] if ", message " in unit.where else None

    def seen(self, space: str) -> int:
        """Messages of one file accounted for: posts, comments and skipped messages."""
        posts = sum(1 for p in self.posts.values() if p.key.startswith(space + "/"))
        comments = sum(1 for c in self.comments.values() if c.key.startswith(space + "/"))
        skips = self.skipped.get(space, Counter())
        return posts + comments + sum(skips[r] for r in MESSAGE_SKIPS)

    def items(self) -> list[PostRecord | CommentRecord]:
        return [*self.posts.values(), *self.comments.values()]

    def thread_of(self, key: str) -> str:
        """The key of the root post of the thread that holds post or comment `key`."""
        if key in self.comments:
            return self.comments[key].post
        post = self.posts[key]
        return post.question or post.key


def parse(*paths: Path) -> Parsed:
    source = MboxSource(list(paths))
    source.check()
    parsed = Parsed(list(source.units()))
    for unit in parsed.units:
        space = parsed.space_of(unit) or ""
        parsed.skipped.setdefault(space, Counter()).update(unit.skipped)
        for r in unit.records:
            if isinstance(r, PostRecord):
                assert r.key not in parsed.posts, f"post {r.key} yielded twice"
                parsed.posts[r.key] = r
            elif isinstance(r, CommentRecord):
                parsed.comments[r.key] = r
            elif isinstance(r, PersonRecord):
                parsed.people[r.key] = r
            elif isinstance(r, SpaceRecord):
                parsed.spaces[r.key] = r
    return parsed


def by_subject(parsed: Parsed, words: str, kind: str | None = None) -> PostRecord:
    found = [
        p for p in parsed.posts.values() if words in p.title and (kind is None or p.kind == kind)
    ]
    assert found, f"no post titled with {words!r}"
    return found[0]


@pytest.fixture(scope="module")
def lists(shared_data: Path) -> Parsed:
    return parse(shared_data / LISTS)


@pytest.fixture(scope="module")
def numpy(shared_data: Path) -> Parsed:
    return parse(shared_data / LISTS / NUMPY)


def write_mbox(path: Path, *messages: str | bytes) -> Path:
    """An mbox file of `messages` (header block, blank line, body), each after a From_ line."""
    out = b""
    for i, message in enumerate(messages):
        raw = message.encode() if isinstance(message, str) else message
        out += f"From sender{i}@example.org  Mon Jan  1 0{i % 10}:00:00 2001\n".encode()
        out += raw.rstrip(b"\n") + b"\n\n"
    path.write_bytes(out)
    return path


# --- the real archives -----------------------------------------------------------------------


def test_every_message_of_the_real_lists_is_seen(lists: Parsed, shared_data: Path) -> None:
    expected = {  # the counts in ../shared/data/README.md
        "numpy-discussion-2001-November.txt": 164,
        "3gpp-listserv-3GPP_MENTORING.mbox": 27,
        "3gpp-listserv-3GPP_TSG_RAN_WG4_NR-MIMO-OTA.mbox": 59,
        "3gpp-listserv-3GPP_TSG_SA_WG4_EVS.mbox": 50,
        "perceval-hyperkitty_2016_april.mbox": 3,
        "perceval-pipermail_2015_november.mbox": 4,
    }
    for name, count in expected.items():
        assert len(mailbox.mbox(shared_data / LISTS / name)) == count
        assert lists.seen(f"{LISTS}/{name}") == count, name
    assert set(lists.spaces) == {f"{LISTS}/{name}" for name in expected}
    assert lists.spaces[f"{LISTS}/{NUMPY}"].name == f"{LISTS}/numpy-discussion-2001-November"


def test_enron_mailboxes_every_message_is_seen(shared_data: Path) -> None:
    sent = shared_data / "enron-mbox-sent" / "_sent_mail"
    parsed = parse(*(sent / name for name in ENRON_SAMPLE))
    for name in ENRON_SAMPLE:
        assert parsed.seen(name) == len(mailbox.mbox(sent / name)), name
    full = shared_data / "enron-mbox-sent" / "full-mailbox-allen-p"
    folders = parse(full)
    assert len(folders.spaces) == 10
    total = sum(folders.seen(key) for key in folders.spaces)
    assert total == sum(len(mailbox.mbox(p)) for p in full.glob("*.mbox")) == 3034
    # Exchange wrote his address two ways; the name in X-From joins them.
    allen = folders.people["phillip.allen@enron.com"]
    assert allen.name == "Phillip K Allen"
    assert set(allen.emails) == {"phillip.allen@enron.com", "k..allen@enron.com"}


def test_numpy_duplicates_are_counted_not_imported(numpy: Parsed) -> None:
    # The archive holds the month twice: 82 messages, each two times.
    assert numpy.skipped[NUMPY][DUPLICATE] == 82
    assert len(numpy.posts) + len(numpy.comments) == 82


def test_numpy_replies_join_their_parents_thread(numpy: Parsed, shared_data: Path) -> None:
    # Independently of the reader: each distinct message and the ids it refers to.
    refs: dict[str, list[str]] = {}
    for msg in mailbox.mbox(shared_data / LISTS / NUMPY):
        mid = msg["Message-ID"].strip()[1:-1].lower()
        refs.setdefault(
            mid,
            [
                r.lower()
                for r in re.findall(
                    r"<([^>]+)>", f"{msg['In-Reply-To'] or ''} {msg['References'] or ''}"
                )
            ],
        )
    key = {mid: f"{NUMPY}/{mid}" for mid in refs}
    replies = {mid: [r for r in rs if r in refs] for mid, rs in refs.items()}
    replies = {mid: rs for mid, rs in replies.items() if rs}
    assert len(replies) == 47  # found by In-Reply-To / References inside the file
    for mid, parents in replies.items():
        assert numpy.thread_of(key[mid]) == numpy.thread_of(key[parents[0]])
        assert key[mid] not in {p.key for p in numpy.posts.values() if p.kind != "answer"}
    # Threads by references alone, counted with a union-find; the subject fallback only
    # ever joins some of them, and never splits one.
    group = {mid: mid for mid in refs}

    def root(x: str) -> str:
        while group[x] != x:
            x = group[x]
        return x

    for mid, parents in replies.items():
        group[root(mid)] = root(parents[0])
    by_references = len({root(m) for m in refs})
    threads = [p for p in numpy.posts.values() if p.kind != "answer"]
    assert by_references == 35
    assert 25 <= len(threads) < by_references
    assert len(numpy.comments) + sum(p.kind == "answer" for p in numpy.posts.values()) == 82 - len(
        threads
    )


def test_a_reply_without_its_parent_joins_by_subject(numpy: Parsed) -> None:
    announcement = by_subject(numpy, "Re-implementation of Python Numerical arrays", "update")
    # Replies whose In-Reply-To names a message of October are in the announcement's thread.
    joined = [c for c in numpy.comments.values() if c.post == announcement.key]
    assert len(joined) >= 10
    assert announcement.title.startswith("Re-implementation")  # not taken for "Re:"


def test_questions_get_answers_and_updates_get_comments(numpy: Parsed) -> None:
    asked = by_subject(numpy, "Assembly optimized numerical packages?")
    assert asked.kind == "question"
    answers = [p for p in numpy.posts.values() if p.question == asked.key]
    assert {a.author for a in answers} >= {"chrishbarker@home.net", "jsaenz@wm.lc.ehu.es"}
    told = by_subject(numpy, "Re-implementation of Python Numerical arrays", "update")
    assert not [p for p in numpy.posts.values() if p.question == told.key]
    assert by_subject(numpy, "Numeric2").title == "Numeric2"  # "[Numpy-discussion] RE: " gone


def test_dates_are_aware_utc(lists: Parsed) -> None:
    assert all(i.created_at.tzinfo is dt.UTC for i in lists.items())
    first = by_subject(lists, "Numeric2")
    assert first.created_at == dt.datetime(2001, 11, 1, 11, 19, 12, tzinfo=dt.UTC)
    # LISTSERV keeps a placeholder of a deleted message: no sender, subject, date or text.
    assert (
        lists.skipped[f"{LISTS}/3gpp-listserv-3GPP_TSG_RAN_WG4_NR-MIMO-OTA.mbox"][EMPTY_MESSAGE]
        == 1
    )


def test_a_message_without_date_takes_its_from_line_time(tmp_path: Path) -> None:
    write_mbox(
        tmp_path / "a.mbox",
        "From: a@example.org\nSubject: Undated\nMessage-ID: <u@x>\nDate: someday\n\nWhen was this?",
    )
    post = parse(tmp_path / "a.mbox").posts["a.mbox/u@x"]
    assert post.created_at == dt.datetime(2001, 1, 1, 0, 0, tzinfo=dt.UTC)


# --- bodies --------------------------------------------------------------------------------


def test_quoted_original_message_and_list_footer_are_stripped(numpy: Parsed) -> None:
    answer = next(
        p for p in numpy.posts.values() if p.author == "paul@pfdubois.com" and "random" in p.body
    )
    assert "BTW you could just do 2.0\\*random((n,m))-1.0." in answer.body
    assert "Original Message" not in answer.body
    assert "I tried to produce a random matrix" not in answer.body
    assert "mailing list" not in answer.body


def test_signature_is_stripped_and_interleaved_answers_kept(numpy: Parsed) -> None:
    barker = next(
        p
        for p in numpy.posts.values()
        if p.author == "chrishbarker@home.net" and "LAPACK" in p.body
    )
    assert "I'm lost here. Perhaps someone else will have some pointers." in barker.body
    assert "Oil Spill Modeling" not in barker.body  # below the "-- " line
    assert "> Can someone give me pointers" in barker.body  # the quote it answers
    assert barker.body.rstrip().endswith("-Chris")


def test_pipermail_scrubbed_attachments_and_quotes(lists: Parsed) -> None:
    key = f"{LISTS}/perceval-pipermail_2015_november.mbox"
    # The reply's In-Reply-To names an id the archive anonymized differently: it joins the
    # thread by its subject.
    reply = lists.comments[f"{key}/1447627429.3593.319.camel@example.com"]
    assert reply.body.startswith("This is cool, Andy.")
    assert "you might have heard of Docker" not in reply.body  # the quoted question
    assert "twitter.com" not in reply.body  # the signature
    first = lists.posts[reply.post]
    assert first.body.startswith("Hey,") and first.kind == "update"
    assert "An HTML attachment was scrubbed" not in first.body
    assert lists.skipped[key][ATTACHMENT] == 3


def test_python_sessions_stay_code_not_quotes(numpy: Parsed) -> None:
    post = by_subject(numpy, "MA - math operations do not preserve fill_value")
    assert "```\n>>> a = masked_values((1.0,2.0,3.0,4.0,-999.0), -999)\n" in post.body
    assert "\\>>>" not in post.body and "> >>>" not in post.body


def test_notes_forward_keeps_the_forwarded_text_without_its_headers(shared_data: Path) -> None:
    parsed = parse(shared_data / "enron-mbox-sent" / "_sent_mail" / "allen-p.mbox")
    post = by_subject(parsed, "Thoughts on Presentation")
    assert post.body.startswith("It is a shame that the CAISO")
    assert "Forwarded by" not in post.body and "Tim Belden" not in post.body


def test_own_text_above_an_outlook_quote_is_kept_alone(shared_data: Path) -> None:
    parsed = parse(shared_data / "enron-mbox-sent" / "_sent_mail" / "germany-c.mbox")
    post = next(p for p in parsed.items() if p.body.startswith("You bet.  Don't you think"))
    assert "Mary Germany, Manager" not in post.body
    assert "04/06/2000" not in post.body  # the Notes "Name <addr> on date" line


def test_charsets_are_decoded_and_wrong_ones_counted(tmp_path: Path) -> None:
    koi8_subject = f"=?koi8-r?B?{base64.b64encode('Привет'.encode('koi8-r')).decode()}?="
    write_mbox(
        tmp_path / "charsets.mbox",
        b"From: a@example.org\nSubject: Latin-1 mail\nMessage-ID: <1@x>\n"
        b"Date: Mon, 1 Jan 2001 10:00:00 +0100\n"
        b"Content-Type: text/plain; charset=iso-8859-1\n\n" + "Grüße aus Köln".encode("latin-1"),
        f"From: b@example.org\nSubject: {koi8_subject}\nMessage-ID: <2@x>\n"
        "Date: Mon, 1 Jan 2001 11:00:00 +0000\n"
        "Content-Type: text/plain; charset=koi8-r\n\n".encode()
        + "Привет, мир".encode("koi8-r"),
        b"From: c@example.org\nSubject: Bogus charset\nMessage-ID: <3@x>\n"
        b"Date: Mon, 1 Jan 2001 12:00:00 +0000\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\n\nplain words \xff here",
        b"From: d@example.org\nSubject: Wrongly declared\nMessage-ID: <4@x>\n"
        b"Date: Mon, 1 Jan 2001 13:00:00 +0000\n"
        b"Content-Type: text/plain; charset=utf-8\n\n" + "café au lait".encode("latin-1"),
        b"From: e@example.org\nSubject: Undeclared\nMessage-ID: <5@x>\n"
        b"Date: Mon, 1 Jan 2001 14:00:00 +0000\n\n" + "naïve".encode(),
    )
    parsed = parse(tmp_path / "charsets.mbox")
    body = {p.title: p.body for p in parsed.posts.values()}
    assert body["Latin-1 mail"] == "Grüße aus Köln"
    assert body["Привет"] == "Привет, мир"
    assert body["Bogus charset"] == "plain words \ufffd here"
    assert body["Wrongly declared"] == "caf\ufffd au lait"
    assert body["Undeclared"] == "naïve"
    assert parsed.posts["charsets.mbox/1@x"].created_at == dt.datetime(
        2001, 1, 1, 9, 0, tzinfo=dt.UTC
    )
    skipped = parsed.skipped["charsets.mbox"]
    assert skipped[UNKNOWN_CHARSET] == 1 and skipped[WRONG_CHARSET] == 1


def test_html_only_mail_becomes_markdown_and_attachments_are_counted(tmp_path: Path) -> None:
    write_mbox(
        tmp_path / "html.mbox",
        "From: Web Mailer <web@example.org>\nSubject: Rich mail\nMessage-ID: <h@x>\n"
        "Date: Mon, 1 Jan 2001 10:00:00 +0000\nContent-Type: text/html; charset=utf-8\n\n"
        "<html><head><style>p {color: red}</style></head><body>"
        "<p>Use <b>pip</b> with <a href='https://pip.pypa.io/'>these docs</a>.</p>"
        "<script>alert(1)</script><ul><li>one</li><li>two</li></ul></body></html>",
        "From: Both <both@example.org>\nSubject: Both kinds\nMessage-ID: <b@x>\n"
        "Date: Mon, 1 Jan 2001 11:00:00 +0000\nMIME-Version: 1.0\n"
        'Content-Type: multipart/mixed; boundary="OUT"\n\n'
        "--OUT\n"
        'Content-Type: multipart/alternative; boundary="ALT"\n\n'
        "--ALT\nContent-Type: text/plain; charset=utf-8\n\nThe plain words.\n"
        "--ALT\nContent-Type: text/html; charset=utf-8\n\n<p>The <i>html</i> words.</p>\n"
        "--ALT--\n"
        "--OUT\nContent-Type: application/pdf\nContent-Disposition: attachment; "
        'filename="a.pdf"\nContent-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n'
        "--OUT\nContent-Type: image/png\nContent-Disposition: attachment; "
        'filename="b.png"\nContent-Transfer-Encoding: base64\n\niVBORw0KGgo=\n'
        "--OUT--\n",
    )
    parsed = parse(tmp_path / "html.mbox")
    rich = parsed.posts["html.mbox/h@x"].body
    assert "Use **pip** with [these docs](https://pip.pypa.io/)." in rich
    assert "- one\n- two" in rich
    assert "alert" not in rich and "color" not in rich
    assert parsed.posts["html.mbox/b@x"].body == "The plain words."
    assert parsed.skipped["html.mbox"][ATTACHMENT] == 2


def test_plain_text_is_escaped_where_markdown_would_change_it(tmp_path: Path) -> None:
    write_mbox(
        tmp_path / "text.mbox",
        "From: a@example.org\nSubject: Text\nMessage-ID: <t@x>\n"
        "Date: Mon, 1 Jan 2001 10:00:00 +0000\n\n"
        "#include <stdio.h> fails\n\nCall __init__ with *args and [1].\n\n"
        "* first\n* second\n\nTitle\n=====\n",
    )
    body = parse(tmp_path / "text.mbox").posts["text.mbox/t@x"].body
    assert body.startswith("\\#include <stdio.h> fails")
    assert "Call \\_\\_init\\_\\_ with \\*args and \\[1\\]." in body
    assert "* first  \n* second" in body  # a list stays a list
    assert "\\=====" in body  # not a heading underline


def test_subject_titles(tmp_path: Path) -> None:
    write_mbox(
        tmp_path / "titles.mbox",
        "From: a@example.org\nSubject: [dev] Re: FW: Build broken\nMessage-ID: <1@x>\n"
        "Date: Mon, 1 Jan 2001 10:00:00 +0000\n\nIt fails on main.",
        "From: a@example.org\nSubject:\nMessage-ID: <2@x>\n"
        "Date: Mon, 1 Jan 2001 11:00:00 +0000\n\nLunch is moved to noon today, see you there.",
        "From: a@example.org\nSubject: Hi\nMessage-ID: <3@x>\n"
        "Date: Mon, 1 Jan 2001 12:00:00 +0000\n\nWelcome aboard.",
        "From: a@example.org\nMessage-ID: <4@x>\nDate: Mon, 1 Jan 2001 13:00:00 +0000\n\n",
        "From: b@example.org\nIn-Reply-To: <4@x>\nMessage-ID: <6@x>\n"
        "Date: Mon, 1 Jan 2001 13:30:00 +0000\n\nYou sent an empty mail.",
        f"From: a@example.org\nSubject: {'long ' * 80}\nMessage-ID: <5@x>\n"
        "Date: Mon, 1 Jan 2001 14:00:00 +0000\n\nx",
        "From: a@example.org\nSubject: Test\nMessage-ID: <7@x>\n"
        "Date: Mon, 1 Jan 2001 15:00:00 +0000\n\n",
    )
    titles = {k.split("/")[1]: p.title for k, p in parse(tmp_path / "titles.mbox").posts.items()}
    assert titles["1@x"] == "Build broken"
    assert titles["2@x"] == "Lunch is moved to noon today, see you there."
    assert titles["3@x"] == "Hi – Welcome aboard."
    assert titles["4@x"] == "(no subject)"
    assert len(titles["5@x"]) <= 300 and titles["5@x"].startswith("long long")
    assert titles["7@x"] == "Test…"  # a title has at least 5 characters


# --- people -------------------------------------------------------------------------------


def test_aliases_of_one_person_merge_in_the_real_list(numpy: Parsed) -> None:
    perry = [p for p in numpy.people.values() if p.name == "Perry Greenfield"]
    assert len(perry) == 1
    assert set(perry[0].emails) == {"perry@stsci.edu", "greenfield@home.com"}
    travis = [p for p in numpy.people.values() if p.name == "Travis Oliphant"]
    assert len(travis) == 1 and len(travis[0].emails) == 2
    authors = {p.author for p in numpy.items()}
    assert authors <= set(numpy.people)
    assert "perry@stsci.edu" not in authors or "greenfield@home.com" not in authors


def test_alias_rule(tmp_path: Path) -> None:
    messages = [
        ("Ann Lee <ann@work.example>", 3),
        ('"Lee, Ann" <ann.lee@home.example>', 1),
        ("ann at lists.example (Ann  Lee)", 1),
        ("Ann Lee <[log in to unmask]>", 1),
        ("Rob <rob@a.example>", 1),
        ("Rob <rob@b.example>", 1),
        ("Zoë Ångström <zoe@a.example>", 1),
        ("Zoe Angstrom <zoe@b.example>", 1),
        # A list that rewrites From: the address is everyone's, so the names tell apart.
        ("Ann Lee via dev <dev@lists.example>", 1),
        ("Bob Ray via dev <dev@lists.example>", 1),
        ("'Cy Fox' via dev <dev@lists.example>", 1),
    ]
    mails = []
    n = 0
    for sender, times in messages:
        for _ in range(times):
            n += 1
            mails.append(
                f"From: {sender}\nSubject: Note {n}\nMessage-ID: <{n}@x>\n"
                f"Date: Mon, 1 Jan 2001 10:{n:02d}:00 +0000\n\nText {n}."
            )
    people = parse(write_mbox(tmp_path / "people.mbox", *mails)).people
    ann = people["ann@work.example"]  # her most used address is the key
    assert set(ann.emails) == {"ann@work.example", "ann.lee@home.example", "ann@lists.example"}
    assert ann.name == "Ann Lee"
    assert "name:ann lee" not in people  # the hidden address joined her too
    assert "rob@a.example" in people and "rob@b.example" in people  # one word: not merged
    assert set(people["zoe@a.example"].emails) == {"zoe@a.example", "zoe@b.example"}
    assert people["name:bob ray"].emails == () and people["name:cy fox"].name == "Cy Fox"
    assert "dev@lists.example" not in people
    assert len(people) == 6


# --- layouts ----------------------------------------------------------------------------------


def test_maildir_folders_are_spaces(tmp_path: Path) -> None:
    box = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp", ".Sent/cur", ".Sent/new", ".Sent/tmp"):
        (box / sub).mkdir(parents=True)
    (box / "cur" / "1000000000.M1P1.host:2,S").write_text(
        "From: a@example.org\nSubject: First\nMessage-ID: <m1@x>\n\nHello?"
    )
    (box / "new" / "1000000500.M2P2.host").write_text(
        "From: b@example.org\nSubject: Re: First\nIn-Reply-To: <m1@x>\n"
        "Message-ID: <m2@x>\nDate: Sun, 9 Sep 2001 01:55:00 +0000\n\nHi!"
    )
    (box / ".Sent" / "cur" / "1000000900.M3P3.host:2,S").write_text(
        "From: a@example.org\nSubject: Other\nMessage-ID: <m3@x>\n\nBye."
    )
    parsed = parse(box)
    assert set(parsed.spaces) == {"Maildir", "Maildir/.Sent"}
    first = parsed.posts["Maildir/m1@x"]
    # No Date header: the delivery time in the file name.
    assert first.created_at == dt.datetime.fromtimestamp(1000000000, dt.UTC)
    assert first.kind == "question"
    assert parsed.posts["Maildir/m2@x"].question == first.key
    assert parsed.posts["Maildir/.Sent/m3@x"].space == "Maildir/.Sent"


def test_a_reply_to_another_file_starts_its_own_thread(tmp_path: Path) -> None:
    write_mbox(
        tmp_path / "a.mbox",
        "From: a@example.org\nSubject: The plan\nMessage-ID: <p@x>\n"
        "Date: Mon, 1 Jan 2001 10:00:00 +0000\n\nThe plan.",
    )
    write_mbox(
        tmp_path / "b.mbox",
        "From: b@example.org\nSubject: Re: The plan\n"
        "In-Reply-To: <p@x>\nMessage-ID: <r@x>\n"
        "Date: Mon, 1 Jan 2001 11:00:00 +0000\n\nAgreed.",
    )
    parsed = parse(tmp_path)
    reply = parsed.posts[f"{tmp_path.name}/b.mbox/r@x"]
    assert reply.kind == "update" and reply.title == "The plan" and reply.question is None


def test_missing_message_id_gets_a_stable_key(tmp_path: Path) -> None:
    mail = "From: a@example.org\nSubject: No id\nDate: Mon, 1 Jan 2001 10:00:00 +0000\n\nx"
    first = set(parse(write_mbox(tmp_path / "a.mbox", mail)).posts)
    again = set(parse(write_mbox(tmp_path / "a.mbox", mail)).posts)
    assert first == again and len(first) == 1
    assert next(iter(first)).startswith("a.mbox/sha1:")


def test_message_without_any_date_is_skipped(tmp_path: Path) -> None:
    box = tmp_path / "box"
    for sub in ("cur", "new"):
        (box / sub).mkdir(parents=True)
    (box / "cur" / "no-time-here").write_text("From: a@example.org\nSubject: When?\n\nx")
    parsed = parse(box)
    assert not parsed.posts and parsed.skipped["box"][NO_DATE] == 1


def test_order_and_namespace_do_not_depend_on_argument_order(shared_data: Path) -> None:
    a = shared_data / LISTS / NUMPY
    b = shared_data / LISTS / "perceval-pipermail_2015_november.mbox"
    one, two = MboxSource([a, b]), MboxSource([b, a])
    assert (
        one.namespace
        == two.namespace
        == ("numpy-discussion-2001-november-txt+perceval-pipermail-2015-november-mbox")
    )
    first = [(u.where, [getattr(r, "key", "") for r in u.records]) for u in one.units()]
    second = [(u.where, [getattr(r, "key", "") for r in u.records]) for u in two.units()]
    assert first == second
    assert one.estimate() == len(first)


def test_non_mail_files_in_a_folder_are_skipped_and_counted(tmp_path: Path) -> None:
    write_mbox(
        tmp_path / "list.mbox",
        "From: a@example.org\nSubject: Hello\n"
        "Message-ID: <1@x>\nDate: Mon, 1 Jan 2001 10:00:00 +0000\n\nHi.",
    )
    (tmp_path / "index.html").write_text("<html></html>")
    (tmp_path / "empty.txt").write_text("")
    source = MboxSource([tmp_path])
    source.check()
    units = list(source.units())
    assert (
        sum((u.skipped for u in units), Counter())["file in a mail folder that is not an mbox file"]
        == 2
    )
    assert len([r for u in units for r in u.records if isinstance(r, PostRecord)]) == 1


@pytest.mark.parametrize(("suffix", "pack"), [
    (".gz", gzip.compress), (".bz2", bz2.compress), (".xz", lzma.compress),
])
def test_a_compressed_archive_reads_as_the_plain_one(
    tmp_path: Path, shared_data: Path, suffix: str, pack: Callable[[bytes], bytes]
) -> None:
    """Pipermail publishes each month as *.txt.gz: the same messages, threads and people as
    the plain file, the space named without the suffixes, found in a folder too."""
    plain = parse(shared_data / LISTS / NUMPY)
    packed = tmp_path / "lists" / f"{NUMPY}{suffix}"
    packed.parent.mkdir()
    packed.write_bytes(pack((shared_data / LISTS / NUMPY).read_bytes()))
    read = parse(packed)
    assert read.posts.keys() == plain.posts.keys() and read.comments.keys() == plain.comments.keys()
    assert [p.body for p in read.posts.values()] == [p.body for p in plain.posts.values()]
    assert read.people.keys() == plain.people.keys()
    assert [(s.key, s.name) for s in read.spaces.values()] == [
        (NUMPY, "numpy-discussion-2001-November")]
    in_folder = parse(packed.parent)
    assert list(in_folder.posts) == [f"lists/{key}" for key in plain.posts]
    (packed.parent / NUMPY).write_bytes((shared_data / LISTS / NUMPY).read_bytes())
    with pytest.raises(HarvestError, match="there twice, plain and compressed"):
        MboxSource([packed.parent]).check()


def test_a_damaged_compressed_archive_names_the_file(tmp_path: Path, shared_data: Path) -> None:
    data = gzip.compress((shared_data / LISTS / NUMPY).read_bytes())
    (tmp_path / "cut.txt.gz").write_bytes(data[: len(data) // 2])
    error = _fails(tmp_path / "cut.txt.gz")
    assert error.path == "cut.txt.gz"
    assert "cannot decompress the gzip file" in error.problem and "truncated" in error.problem
    (tmp_path / "fake.mbox.gz").write_bytes(b"From a@example.org Mon Jan  1 00:00:00 2001\n")
    with pytest.raises(HarvestError) as caught:
        MboxSource([tmp_path / "fake.mbox.gz"]).check()
    assert caught.value.path == "fake.mbox.gz"
    assert "unknown layout: cannot decompress the gzip file" in caught.value.problem


# --- damage ---------------------------------------------------------------------------------


def _from_line_offsets(data: bytes) -> list[int]:
    return [m.start() for m in re.finditer(rb"^From \S+ at \S+  ", data, re.M)]


def _fails(path: Path) -> HarvestError:
    """The error a source over `path` raises, before it has yielded anything."""
    source = MboxSource([path])
    with pytest.raises(HarvestError) as caught:
        source.check()
        next(iter(source.units()))
    return caught.value


def test_truncated_file_names_the_message_and_byte(tmp_path: Path, shared_data: Path) -> None:
    data = (shared_data / LISTS / NUMPY).read_bytes()
    start = _from_line_offsets(data)[36]
    (tmp_path / NUMPY).write_bytes(data[: start + 70])  # cut inside message 37's headers
    error = _fails(tmp_path / NUMPY)
    assert error.path == NUMPY
    assert error.position == f"message 37 (byte {start})"
    assert "truncated" in error.problem


def test_binary_garbage_in_headers(tmp_path: Path, shared_data: Path) -> None:
    data = bytearray((shared_data / LISTS / NUMPY).read_bytes())
    start = _from_line_offsets(bytes(data))[10]
    subject = data.index(b"Subject:", start)
    data[subject + 9 : subject + 13] = b"\x00\x01\x02\x00"
    (tmp_path / NUMPY).write_bytes(bytes(data))
    error = _fails(tmp_path / NUMPY)
    assert (error.path, error.position) == (NUMPY, f"message 11 (byte {subject})")
    assert "binary data in the headers" in error.problem


def test_message_without_headers(tmp_path: Path, shared_data: Path) -> None:
    data = (shared_data / LISTS / NUMPY).read_bytes()
    start = _from_line_offsets(data)[5]
    bad = b"From someone at example.org  Mon Nov  5 10:00:00 2001\nJust text, no headers.\n\n"
    (tmp_path / NUMPY).write_bytes(data[:start] + bad + data[start:])
    error = _fails(tmp_path / NUMPY)
    assert error.position == f"message 6 (byte {start + bad.index(b'Just')})"
    assert "no headers" in error.problem and "Just text" in error.problem


def test_unknown_layouts_are_refused_before_anything(tmp_path: Path) -> None:
    (tmp_path / "empty.mbox").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("Dear diary,\nFrom today on I write mail.\n")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "readme.md").write_text("# not mail")
    cases = {
        "empty.mbox": "the file is empty",
        "notes.txt": "'Dear diary,'",
        "folder": "no mbox files or maildir folders",
    }
    for name, words in cases.items():
        with pytest.raises(HarvestError) as caught:
            MboxSource([tmp_path / name]).check()
        assert caught.value.path == name
        assert caught.value.problem.startswith("unknown layout") and words in str(caught.value)
    with pytest.raises(HarvestError, match="no such file or folder"):
        MboxSource([tmp_path / "missing.mbox"]).check()
