"""The Stack Exchange dump reader on the real dumps in ../shared/data, on small hand-written
dumps for the rules, and on damaged copies of the real files."""

from __future__ import annotations

import datetime as dt
import shutil
import time
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from waggle.harvest.records import (
    AcceptRecord,
    CommentRecord,
    HarvestError,
    LinkRecord,
    PersonRecord,
    PostRecord,
    SpaceRecord,
    Unit,
)
from waggle.harvest.sources import open_source
from waggle.harvest.sources.stackexchange import StackExchangeSource, site_name

SITES = ["se-quantumcomputing", "se-bicycles-meta"]
DUMP_FILES = ("Users.xml", "Posts.xml", "Comments.xml", "PostLinks.xml")
# The verified counts in ../shared/data/README.md, to catch a wrong independent count too.
README_COUNTS = {
    "se-quantumcomputing": {"question": 612, "answer": 1060, "accepted": 389,
                            "comment": 3413, "link": 327, "duplicate": 14},
    "se-bicycles-meta": {"question": 453, "answer": 971, "accepted": 157,
                         "comment": 2448, "link": 189, "duplicate": 10},
}


T = TypeVar("T")


@dataclass
class Parsed:
    path: Path
    units: list[Unit]
    seconds: float

    def records(self, kind: type[T]) -> list[T]:
        return [r for u in self.units for r in u.records if isinstance(r, kind)]


def parse(path: Path, space_name: str | None = None) -> Parsed:
    started = time.perf_counter()
    units = list(StackExchangeSource(path, space_name).units())
    return Parsed(path, units, time.perf_counter() - started)


def rows(path: Path) -> list[dict[str, str]]:
    """A file's rows read by the standard library, independently of the reader under test."""
    return [dict(e.attrib) for _, e in ET.iterparse(path) if e.tag == "row"]


@pytest.fixture(scope="module")
def parsed_sites() -> dict[str, Parsed]:
    """Each real dump is parsed once per module, by whichever test needs it first."""
    return {}


def parsed_site(cache: dict[str, Parsed], shared_data: Path, site: str) -> Parsed:
    if site not in cache:
        cache[site] = parse(shared_data / site)
        print(f"\n{site}: {len(cache[site].units)} units parsed in {cache[site].seconds:.2f} s")
    return cache[site]


@pytest.fixture(scope="module", params=SITES)
def dump(request: pytest.FixtureRequest, shared_data: Path, parsed_sites: dict[str, Parsed]
         ) -> Parsed:
    return parsed_site(parsed_sites, shared_data, request.param)


@pytest.fixture(scope="module")
def file_counts(dump: Parsed) -> dict[str, Any]:
    posts = rows(dump.path / "Posts.xml")
    links = rows(dump.path / "PostLinks.xml")
    return {
        "question": sum(p["PostTypeId"] == "1" for p in posts),
        "answer": sum(p["PostTypeId"] == "2" for p in posts),
        "accepted": {
            (f"post/{p['Id']}", f"post/{p['AcceptedAnswerId']}")
            for p in posts if p["PostTypeId"] == "1" and p.get("AcceptedAnswerId")
        },
        "comment": len(rows(dump.path / "Comments.xml")),
        "link": len(links),
        "duplicate": sum(link["LinkTypeId"] == "3" for link in links),
        "other posts": Counter(p["PostTypeId"] for p in posts if p["PostTypeId"] not in "12"),
        "users": rows(dump.path / "Users.xml"),
    }


# --- the real dumps ------------------------------------------------------------------------

def test_real_dump_counts_equal_the_files(dump: Parsed, file_counts: dict[str, Any]
) -> None:
    posts = dump.records(PostRecord)
    links = dump.records(LinkRecord)
    found = {
        "question": sum(p.kind == "question" for p in posts),
        "answer": sum(p.kind == "answer" for p in posts),
        "accepted": len(dump.records(AcceptRecord)),
        "comment": len(dump.records(CommentRecord)),
        "link": len(links),
        "duplicate": sum(link.kind == "duplicate" for link in links),
    }
    expected = {k: file_counts[k] for k in found} | {"accepted": len(file_counts["accepted"])}
    assert found == expected
    assert found == README_COUNTS[dump.path.name]


def test_accepted_answers_pair_each_question_with_its_accepted_answer_id(
    dump: Parsed, file_counts: dict[str, Any]
) -> None:
    pairs = {(a.question, a.answer) for a in dump.records(AcceptRecord)}
    assert pairs == file_counts["accepted"]


def test_every_reference_points_back_to_something_read_earlier(dump: Parsed) -> None:
    """The writer resolves keys against what it has already written: a question precedes its
    answers, both precede the accepting record, authors precede their posts."""
    seen: set[str] = set()
    for unit in dump.units:
        for r in unit.records:
            if isinstance(r, PostRecord) and r.question:
                assert r.question in seen, unit.where
            if isinstance(r, AcceptRecord):
                assert {r.question, r.answer} <= seen, unit.where
            if isinstance(r, PostRecord | CommentRecord) and r.author:
                assert r.author in seen or r.author.startswith("user/"), unit.where
            seen.add(getattr(r, "key", ""))


def test_people_are_the_users_without_the_community_bot(
    dump: Parsed, file_counts: dict[str, Any]
) -> None:
    users = file_counts["users"]
    people = {p.key: p for p in dump.records(PersonRecord) if p.key.startswith("user/")}
    assert set(people) == {f"user/{u['Id']}" for u in users if u["Id"] != "-1"}
    assert sum(u.skipped["system account"] for u in dump.units) == 1
    someone = next(
        u for u in users if u.get("AboutMe") and u.get("Location") and u["Id"] != "-1"
    )
    person = people[f"user/{someone['Id']}"]
    assert (person.name, person.location) == (someone["DisplayName"], someone["Location"])
    assert person.bio and "<p>" not in person.bio


def test_other_post_types_are_skipped_and_counted_by_name(
    dump: Parsed, file_counts: dict[str, Any]
) -> None:
    skipped: Counter[str] = Counter()
    for unit in dump.units:
        skipped.update(unit.skipped)
    names = {"4": "tag wiki excerpt (PostTypeId 4)", "5": "tag wiki (PostTypeId 5)"}
    other: Counter[str] = file_counts["other posts"]
    assert other  # both dumps carry tag wikis
    assert {names[t]: n for t, n in other.items()} == {
        k: v for k, v in skipped.items() if "PostTypeId" in k
    }


def test_html_bodies_come_out_as_markdown(dump: Parsed) -> None:
    posts = dump.records(PostRecord)
    for post in posts:
        assert "<p>" not in post.body and "</a>" not in post.body and "<script" not in post.body
    assert sum("](http" in p.body for p in posts) > len(posts) / 10  # links kept as markdown
    assert any("\n    " in p.body or "```" in p.body or "`" in p.body for p in posts)


def test_first_quantumcomputing_question_reads_as_written(
    shared_data: Path, parsed_sites: dict[str, Parsed]
) -> None:
    parsed = parsed_site(parsed_sites, shared_data, "se-quantumcomputing")
    first = next(p for p in parsed.records(PostRecord) if p.key == "post/1")
    assert first.kind == "question" and first.author == "user/7"
    assert first.title == "Can a Turing machine simulate a quantum computer?"
    assert first.topics == ("simulation", "quantum-turing-machine")
    assert first.created_at == dt.datetime(2018, 3, 12, 17, 0, 45, 567000, tzinfo=dt.UTC)
    assert first.updated_at is not None and first.updated_at > first.created_at
    assert "[Turing machine](https://en.wikipedia.org/wiki/Turing_machine)" in first.body
    assert ("post/1", "post/18") in {(a.question, a.answer) for a in parsed.records(AcceptRecord)}
    # The same archive read twice gives the same units in the same order (resume relies on it).
    again = parse(shared_data / "se-quantumcomputing")
    assert [(u.where, u.records, u.skipped) for u in again.units] == [
        (u.where, u.records, u.skipped) for u in parsed.units
    ]


def test_space_comes_first_and_names_the_site(dump: Parsed) -> None:
    first = dump.units[0]
    assert len(first.records) == 1 and isinstance(first.records[0], SpaceRecord)
    space = first.records[0]
    assert space.key == "site"
    assert {p.space for p in dump.records(PostRecord)} == {"site"}
    assert space.name == {"se-quantumcomputing": "Quantumcomputing",
                          "se-bicycles-meta": "Bicycles Meta"}[dump.path.name]


def test_estimate_is_close_to_the_number_of_units(dump: Parsed) -> None:
    estimate = StackExchangeSource(dump.path).estimate()
    assert estimate is not None
    assert len(dump.units) / 2 < estimate < len(dump.units) * 2


def test_space_name_and_namespace(tmp_path: Path) -> None:
    assert site_name(Path("/dumps/bicycles.meta.stackexchange.com")) == "Bicycles Meta"
    assert site_name(Path("/dumps/se-quantumcomputing")) == "Quantumcomputing"
    source = StackExchangeSource(tmp_path / "math.stackexchange.com")
    assert (source.space_name, source.namespace) == ("Math", "math")
    named = StackExchangeSource(tmp_path / "x", space_name="Quantum Computing")
    assert (named.space_name, named.namespace) == ("Quantum Computing", "quantum-computing")
    assert open_source("stackexchange", [tmp_path], space="Quantum Computing").namespace == (
        "quantum-computing"
    )


# --- rules, on small hand-written dumps --------------------------------------------------------

HEAD = '\ufeff<?xml version="1.0" encoding="utf-8"?>\n'


def write_dump(path: Path, *, users: str = "", posts: str = "", comments: str | None = None,
               links: str | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    files = {"Users.xml": ("users", users), "Posts.xml": ("posts", posts)}
    if comments is not None:
        files["Comments.xml"] = ("comments", comments)
    if links is not None:
        files["PostLinks.xml"] = ("postlinks", links)
    for name, (root, body) in files.items():
        (path / name).write_text(f"{HEAD}<{root}>\n{body}</{root}>\n", encoding="utf-8")
    return path


def q(post_id: int, *, accepted: int | None = None, extra: str = "") -> str:
    acc = f' AcceptedAnswerId="{accepted}"' if accepted else ""
    return (f'  <row Id="{post_id}" PostTypeId="1"{acc} CreationDate="2020-01-0{post_id % 9 + 1}'
            f'T10:00:00.000" Title="Question {post_id}" Body="&lt;p&gt;Why?&lt;/p&gt;" '
            f'OwnerUserId="5" {extra}/>\n')


def a(post_id: int, parent: int, extra: str = 'OwnerUserId="6"') -> str:
    return (f'  <row Id="{post_id}" PostTypeId="2" ParentId="{parent}" '
            f'CreationDate="2020-02-01T10:00:00.000" Body="&lt;p&gt;Because.&lt;/p&gt;" '
            f"{extra} />\n")


def records_of(path: Path) -> list[object]:
    return [r for u in StackExchangeSource(path).units() for r in u.records]


def skipped_of(path: Path) -> Counter[str]:
    total: Counter[str] = Counter()
    for u in StackExchangeSource(path).units():
        total.update(u.skipped)
    return total


def test_answer_read_before_its_question_waits_for_it(tmp_path: Path) -> None:
    # A merged question keeps its own (larger) id while answers moved into it keep theirs.
    dump = write_dump(tmp_path / "d", posts=a(3, parent=9) + a(4, parent=9) + q(9, accepted=3))
    units = list(StackExchangeSource(dump).units())
    question_unit = next(u for u in units if any(getattr(r, "key", "") == "post/9"
                                                 for r in u.records))
    assert [getattr(r, "key", None) for r in question_unit.records] == [
        "post/9", "post/3", "post/4", None
    ]
    assert question_unit.records[-1] == AcceptRecord("post/9", "post/3")


def test_accept_waits_for_the_answer_row(tmp_path: Path) -> None:
    dump = write_dump(tmp_path / "d", posts=q(1, accepted=3) + a(2, 1) + q(5) + a(3, 1))
    units = list(StackExchangeSource(dump).units())
    answer_unit = next(u for u in units if any(getattr(r, "key", "") == "post/3"
                                               for r in u.records))
    assert answer_unit.records[-1] == AcceptRecord("post/1", "post/3")
    assert sum(isinstance(r, AcceptRecord) for u in units for r in u.records) == 1


def test_missing_answers_and_questions_are_counted_not_kept(tmp_path: Path) -> None:
    dump = write_dump(tmp_path / "d", posts=q(1, accepted=7) + a(2, parent=40))
    assert not any(isinstance(r, AcceptRecord) or getattr(r, "key", "") == "post/2"
                   for r in records_of(dump))
    skipped = skipped_of(dump)
    assert skipped["accepted answer not in the dump"] == 1
    assert skipped["answer to a question not in the dump"] == 1


def test_authors_tags_titles_and_post_types(tmp_path: Path) -> None:
    long_title = "Why " * 100
    posts = (
        q(1, extra='Tags="|quantum-gate|qubit|"')
        + q(2, extra='Tags="&lt;noise&gt;&lt;qiskit&gt;"')
        .replace('OwnerUserId="5"', 'OwnerDisplayName="Gone  Person"')
        + q(3).replace('OwnerUserId="5"', "").replace("Question 3", long_title)
        + a(4, 1, extra='OwnerUserId="-1"')
        + '  <row Id="5" PostTypeId="6" CreationDate="2020-01-01T00:00:00" />\n'
        + '  <row Id="6" PostTypeId="42" CreationDate="2020-01-01T00:00:00" />\n'
    )
    dump = write_dump(tmp_path / "d", posts=posts)
    posts_by_key = {r.key: r for r in records_of(dump) if isinstance(r, PostRecord)}
    assert posts_by_key["post/1"].topics == ("quantum-gate", "qubit")
    assert posts_by_key["post/2"].topics == ("noise", "qiskit")
    assert posts_by_key["post/2"].author == "name/Gone Person"
    assert PersonRecord("name/Gone Person", name="Gone Person", username="Gone Person") in (
        records_of(dump)
    )
    assert posts_by_key["post/3"].author is None
    assert len(posts_by_key["post/3"].title) == 300
    assert posts_by_key["post/4"].author is None  # the Community bot is nobody
    skipped = skipped_of(dump)
    assert skipped["moderator nomination (PostTypeId 6)"] == 1
    assert skipped["post of an unknown type (PostTypeId 42)"] == 1


def test_unsafe_html_is_dropped_and_structure_kept(tmp_path: Path) -> None:
    body = ("&lt;p&gt;See &lt;a href=&quot;https://example.org/x&quot;&gt;this&lt;/a&gt;"
            "&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;&lt;pre&gt;&lt;code&gt;x = 1"
            "&lt;/code&gt;&lt;/pre&gt;&lt;img src=&quot;javascript:alert(2)&quot;&gt;")
    dump = write_dump(tmp_path / "d", posts=q(1).replace("&lt;p&gt;Why?&lt;/p&gt;", body))
    post = next(r for r in records_of(dump) if isinstance(r, PostRecord))
    assert "[this](https://example.org/x)" in post.body
    assert "x = 1" in post.body
    assert "alert" not in post.body and "<" not in post.body


def test_comments_and_links(tmp_path: Path) -> None:
    dump = write_dump(
        tmp_path / "d", posts=q(1) + q(2),
        comments=('  <row Id="8" PostId="1" Text="Try `x &lt; y` first, @Ada." '
                  'CreationDate="2020-03-01T12:30:00.250" UserId="5" />\n'
                  '  <row Id="9" PostId="2" Text="gone" CreationDate="2020-03-01T12:31:00" '
                  'UserDisplayName="Old Name" />\n'),
        links=('  <row Id="1" PostId="2" RelatedPostId="1" LinkTypeId="3" '
               'CreationDate="2020-03-01T00:00:00" />\n'
               '  <row Id="2" PostId="1" RelatedPostId="2" LinkTypeId="1" '
               'CreationDate="2020-03-01T00:00:00" />\n'),
    )
    records = records_of(dump)
    assert CommentRecord("comment/8", "post/1", "user/5", "Try `x < y` first, @Ada.",
                         dt.datetime(2020, 3, 1, 12, 30, 0, 250000, tzinfo=dt.UTC)) in records
    assert next(r for r in records if isinstance(r, CommentRecord) and r.key == "comment/9"
                ).author == "name/Old Name"
    assert [r for r in records if isinstance(r, LinkRecord)] == [
        LinkRecord("link/1", "post/2", "post/1", "duplicate"),
        LinkRecord("link/2", "post/1", "post/2", "related"),
    ]


def test_comments_and_links_files_are_optional(tmp_path: Path) -> None:
    dump = write_dump(tmp_path / "d", posts=q(1))
    StackExchangeSource(dump).check()
    assert [type(r) for r in records_of(dump)] == [SpaceRecord, PostRecord]


def test_a_utf16_file_that_says_so_is_read(tmp_path: Path) -> None:
    dump = write_dump(tmp_path / "d", posts=q(1))
    text = (dump / "Posts.xml").read_text(encoding="utf-8-sig")
    (dump / "Posts.xml").write_bytes(text.replace('"utf-8"', '"utf-16"').encode("utf-16"))
    assert [r.key for r in records_of(dump) if isinstance(r, PostRecord)] == ["post/1"]


# --- damaged copies of the real files -------------------------------------------------------

def damaged_copy(shared_data: Path, tmp_path: Path) -> Path:
    target = tmp_path / "quantumcomputing"
    target.mkdir()
    for name in DUMP_FILES:
        shutil.copy(shared_data / "se-quantumcomputing" / name, target / name)
    return target


def nth_row(data: bytes, n: int) -> int:
    """The byte offset of the n-th <row (counting from 1)."""
    at = -1
    for _ in range(n):
        at = data.index(b"<row ", at + 1)
    return at


def line_at(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def cut_mid_row(d: Path) -> tuple[str, int]:
    data = (d / "Posts.xml").read_bytes()
    cut = nth_row(data, 500) + 200
    (d / "Posts.xml").write_bytes(data[:cut])
    return "Posts.xml", line_at(data, cut)


def insert_garbage(d: Path) -> tuple[str, int]:
    data = (d / "Posts.xml").read_bytes()
    at = nth_row(data, 300) + 40
    (d / "Posts.xml").write_bytes(data[:at] + b"\x00\x1b\xff\xfe" + data[at:])
    return "Posts.xml", line_at(data, at)


def reencode_utf16(d: Path) -> tuple[str, int]:
    text = (d / "Comments.xml").read_text(encoding="utf-8-sig")
    (d / "Comments.xml").write_bytes(text.encode("utf-16"))  # declaration still says utf-8
    return "Comments.xml", 1


def latin1_bytes(d: Path) -> tuple[str, int]:
    data = (d / "Posts.xml").read_bytes()
    at = data.index(b'Body="', nth_row(data, 200)) + len(b'Body="')
    (d / "Posts.xml").write_bytes(data[:at] + "Caf\u00e9 ".encode("latin-1") + data[at:])
    return "Posts.xml", line_at(data, at)


def change_row(d: Path, name: str, n: int, old: bytes, new: bytes) -> tuple[str, int]:
    data = (d / name).read_bytes()
    at = nth_row(data, n)
    end = data.index(b"/>", at)
    assert old in data[at:end]
    (d / name).write_bytes(data[:at] + data[at:end].replace(old, new, 1) + data[end:])
    return name, line_at(data, at)


def row_without_id(d: Path) -> tuple[str, int]:
    return change_row(d, "Posts.xml", 120, b'Id="', b'Was="')


def unreadable_date(d: Path) -> tuple[str, int]:
    return change_row(d, "Comments.xml", 40, b'CreationDate="2018-', b'CreationDate="12/03/')


def answer_without_parent(d: Path) -> tuple[str, int]:
    data = (d / "Posts.xml").read_bytes()
    n = data[:data.index(b'PostTypeId="2" ParentId=')].count(b"<row ")
    return change_row(d, "Posts.xml", n, b"ParentId=", b"Parent=")


@pytest.mark.parametrize("damage", [
    cut_mid_row, insert_garbage, reencode_utf16, latin1_bytes, row_without_id,
    unreadable_date, answer_without_parent,
])
def test_damaged_file_names_the_file_and_line(
    damage: Callable[[Path], tuple[str, int]], shared_data: Path, tmp_path: Path
) -> None:
    dump = damaged_copy(shared_data, tmp_path)
    name, line = damage(dump)
    read = 0
    with pytest.raises(HarvestError) as caught:
        for _ in StackExchangeSource(dump).units():
            read += 1
    error = caught.value
    assert error.path == name
    assert error.position.startswith(f"line {line}")
    assert str(error).startswith(f"{name}, line {line}")
    if name == "Comments.xml" and damage is reencode_utf16:
        assert read == 0  # found by check(), before anything is written
        assert "UTF-16" in error.problem


def test_cut_file_yields_every_whole_row_before_the_cut(
    shared_data: Path, tmp_path: Path
) -> None:
    dump = damaged_copy(shared_data, tmp_path)
    cut_mid_row(dump)
    units: list[Unit] = []
    with pytest.raises(HarvestError, match="cut short"):
        for unit in StackExchangeSource(dump).units():
            units.append(unit)
    assert sum(u.where.startswith("Posts.xml, line") for u in units) == 499


def test_missing_users_file(shared_data: Path, tmp_path: Path) -> None:
    dump = damaged_copy(shared_data, tmp_path)
    (dump / "Users.xml").unlink()
    with pytest.raises(HarvestError) as caught:
        StackExchangeSource(dump).check()
    assert caught.value.path == "Users.xml" and "missing" in str(caught.value)


def test_empty_directory_is_not_a_dump(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    source = StackExchangeSource(tmp_path)
    with pytest.raises(HarvestError, match="not a Stack Exchange dump") as caught:
        next(source.units())
    assert "Posts.xml" in str(caught.value) and "notes.txt" in str(caught.value)


def test_empty_file_and_wrong_file(tmp_path: Path) -> None:
    dump = write_dump(tmp_path / "d", posts=q(1), comments="")
    (dump / "Comments.xml").write_bytes(b"")
    with pytest.raises(HarvestError, match="empty") as caught:
        StackExchangeSource(dump).check()
    assert caught.value.path == "Comments.xml"
    (dump / "Comments.xml").write_bytes((dump / "Posts.xml").read_bytes())
    with pytest.raises(HarvestError, match="not the Comments.xml") as wrong:
        records_of(dump)
    assert wrong.value.path == "Comments.xml" and wrong.value.position == "line 3"


def test_a_file_instead_of_a_directory(tmp_path: Path) -> None:
    archive = tmp_path / "quantumcomputing.stackexchange.com.7z"
    archive.write_bytes(b"7z\xbc\xaf")
    with pytest.raises(HarvestError, match="not a directory"):
        StackExchangeSource(archive).check()
