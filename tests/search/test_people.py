"""People search through the real index of the database under test (FTS5 or PostgreSQL):
prefix matching on words, skills, the order of matches, the visibility gate inside the query
(guests, deactivated accounts), and input that is no name at all."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction

from tests.conftest import make_person
from waggle.people.actions import do_create_department, do_create_team, do_update_profile
from waggle.people.models import User
from waggle.search.people import knows_about, query_words, search_people
from waggle.spaces.models import Space


def names(viewer: Any, text: str, **kwargs: Any) -> list[str]:
    return [p.username for p in search_people(viewer, text, **kwargs).people]


@pytest.fixture
def people(db: Any) -> dict[str, User]:
    platform = do_create_department("Platform Engineering")
    payroll = do_create_team("Payroll", do_create_department("Finance"))
    alice = make_person("alice", display_name="Alice Martin", title="Site reliability engineer",
                        department=platform)
    do_update_profile(alice, acting_user=alice, location="Lyon", skills=["kubernetes"])
    malika = make_person("malika", display_name="Malika Alistair", title="Data analyst")
    do_update_profile(malika, acting_user=malika, skills=["sql", "data-viz"],
                      bio="Ask me about dashboards.")
    bob = make_person("bob.ali", display_name="Robert Stone", team=payroll)
    do_update_profile(bob, acting_user=bob, bio="Alignment workshops and kubernetes war stories")
    zoe = make_person("zoe", display_name="Zoë Ålander", title="Kubernetes trainer")
    return {"alice": alice, "malika": malika, "bob": bob, "zoe": zoe}


def test_the_beginning_of_any_word_of_a_name_finds_the_person(
    people: dict[str, User], member: User
) -> None:
    assert names(member, "ali")[0] == "alice"
    assert set(names(member, "ali")) >= {"alice", "malika", "bob.ali"}
    assert names(member, "mart") == ["alice"]
    assert names(member, "ALICE MAR") == ["alice"]
    assert names(member, "stone") == ["bob.ali"]
    assert names(member, "tin") == []  # inside a word is no match: "Martin" starts with "mar"


def test_accents_and_case_are_ignored(people: dict[str, User], member: User) -> None:
    assert names(member, "zoe") == ["zoe"]
    assert names(member, "ZOË ålan") == ["zoe"]


def test_title_department_team_location_and_skills_find_people(
    people: dict[str, User], member: User
) -> None:
    assert names(member, "reliability") == ["alice"]
    assert names(member, "platform eng") == ["alice"]
    assert names(member, "payroll") == ["bob.ali"]
    assert names(member, "lyon") == ["alice"]
    assert names(member, "viz") == ["malika"]  # a word inside the topic data-viz
    assert names(member, "#sql") == ["malika"]
    assert names(member, "dashboards") == ["malika"]  # the bio counts, last


def test_exact_names_first_then_names_then_roles_then_skills_then_bios(
    people: dict[str, User], member: User
) -> None:
    # "kubernetes": Zoë's title, Alice's declared skill, Bob's bio.
    assert names(member, "kubernetes") == ["zoe", "alice", "bob.ali"]
    # "ali": the exact username beats names that begin with it, then other name words, then
    # the username's parts ("bob.ali"); Alignment in a bio is not needed to find Bob.
    make_person("ali", display_name="Ali Khan")
    found = names(member, "ali")
    assert found[:2] == ["ali", "alice"]
    assert found.index("malika") < found.index("bob.ali")
    # A person found by a word of their name comes before one found by their title.
    assert names(member, "alice engineer") == ["alice"]
    make_person("eng", display_name="Engelbert Humper")
    assert names(member, "eng")[:2] == ["eng", "alice"]


def test_the_count_covers_every_match_and_pages_split_them(
    people: dict[str, User], member: User
) -> None:
    for i in range(7):
        make_person(f"kim{i}", display_name=f"Kim Number{i}")
    first = search_people(member, "kim", limit=5)
    assert first.total == 7 and first.pages == 2 and first.has_next
    second = search_people(member, "kim", limit=5, page=2)
    assert len(second.people) == 2 and second.total == 7 and second.has_previous
    assert {p.username for p in first.people + second.people} == {f"kim{i}" for i in range(7)}
    beyond = search_people(member, "kim", limit=5, page=9)
    assert beyond.people == [] and beyond.total == 7


def test_a_profile_change_is_found_at_once(people: dict[str, User], member: User) -> None:
    alice = people["alice"]
    do_update_profile(alice, acting_user=alice, display_name="Alice Durand", skills=["terraform"])
    assert names(member, "durand") == ["alice"]
    assert names(member, "martin") == []
    assert names(member, "terra") == ["alice"]
    assert "alice" not in names(member, "kubernetes")


def test_a_guest_finds_only_the_people_of_their_spaces(
    people: dict[str, User], guest: User, host: User, external_space: Space, member: User
) -> None:
    assert names(guest, "hana") == ["hana"]  # hosts the guest's space
    assert names(guest, "alice") == [] and search_people(guest, "ali").total == 0
    assert names(guest, "mira") == []
    # ... and members find the guest, as the people directory shows them.
    assert names(member, "gita") == ["gita"]


def test_deactivated_people_are_neither_found_nor_counted(
    people: dict[str, User], member: User
) -> None:
    User.objects.filter(pk=people["alice"].pk).update(is_active=False)
    assert "alice" not in names(member, "ali")
    assert search_people(member, "kubernetes").total == 2
    # A deactivated viewer finds nobody.
    User.objects.filter(pk=member.pk).update(is_active=False)
    member.refresh_from_db()
    assert search_people(member, "zoe").total == 0


def test_nobody_is_found_for_the_signed_out(people: dict[str, User]) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert search_people(AnonymousUser(), "alice").total == 0
    assert search_people(None, "alice").total == 0


@pytest.mark.parametrize("text", [
    "", "   ", "!!!", "-alice", '"', "'; DROP TABLE people_user; --", "a*b:c", "(((", "_",
    "NEAR(a b)", "alice:*A", "\u200b", "²³", "x" * 5000, "ali " * 200, "日本語", "😀 alice",
    "c++ & !|", "%", "\\", "OR",
])
def test_any_input_is_a_search_never_an_error(people: dict[str, User], member: User,
                                             text: str) -> None:
    results = search_people(member, text)
    assert results.total == len(results.people) or results.total > len(results.people)


def test_short_words_begin_names_and_are_whole_words_elsewhere(
    people: dict[str, User], member: User
) -> None:
    assert names(member, "a") == []  # one letter alone would list everybody
    assert names(member, "a martin") == ["alice"]  # ... but narrows a longer word
    assert names(member, "zo") == ["zoe"]
    assert names(member, "da") == []  # no whole word "da" in a title; bios need 3 letters
    qa = make_person("quinn", display_name="Quinn Tester", title="QA lead")
    do_update_profile(qa, acting_user=qa, location="Ulm")
    assert names(member, "qa") == ["quinn"]
    assert names(member, "ul") == []


def test_the_query_language_of_post_search_is_left_out() -> None:
    assert query_words('"Alice Martin" OR -bob #k8s') == ["alice", "martin", "k8s"]
    assert query_words("Zoë_x") == ["zoe", "x"]
    assert len(query_words(" ".join(f"w{i}" for i in range(50)))) == 8


def test_knows_about_shows_declared_skills_without_evidence(
    people: dict[str, User], member: User
) -> None:
    found = search_people(member, "malika").people
    assert [t.name for t in knows_about(member, found)[people["malika"].pk]] == ["data-viz",
                                                                                 "sql"]


def test_the_count_stops_at_its_cap_and_so_do_the_pages(
    people: dict[str, User], member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("waggle.search.people.COUNTED", 3)
    for i in range(5):
        make_person(f"kim{i}", display_name=f"Kim Number{i}")
    first = search_people(member, "kim", limit=2)
    assert first.total == 3 and first.total_capped and first.pages == 2
    assert names(member, "kim", limit=2) == ["kim0", "kim1"]
    assert names(member, "kim", limit=2, page=2) == ["kim2"]  # the third of the best three
    assert names(member, "kim", limit=2, page=3) == []
    # At the cap or under it, the count is the count.
    exact = search_people(member, "kim number1")
    assert exact.total == 1 and not exact.total_capped
    assert not search_people(member, "kubernetes").total_capped


def test_a_page_that_starts_in_one_tier_ends_in_the_next(
    people: dict[str, User], member: User
) -> None:
    # "kubernetes": Zoë by her title (ROLE), Alice by her skill (SKILL), Bob by his bio (BIO).
    nova = make_person("nova", display_name="Kubernetes Nova")  # NAME_START
    do_update_profile(nova, acting_user=nova, skills=["kubernetes"])
    make_person("kube.two", display_name="Two Kubernetes")  # NAME
    everyone = ["nova", "kube.two", "zoe", "alice", "bob.ali"]
    assert names(member, "kubernetes") == everyone
    pages = [names(member, "kubernetes", limit=2, page=n) for n in (1, 2, 3)]
    assert pages == [everyone[0:2], everyone[2:4], everyone[4:5]]
    # From the names into the roles, from the skills into the bios, at any page size.
    for size in (1, 3, 4):
        pages = [names(member, "kubernetes", limit=size, page=n) for n in range(1, 6)]
        assert sum(pages, []) == everyone, size


def test_the_cap_counts_only_what_a_guest_may_see(
    people: dict[str, User], guest: User, host: User, external_space: Space, member: User,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("waggle.search.people.COUNTED", 2)
    for i in range(4):
        make_person(f"hanna{i}", display_name=f"Hanna Other{i}")  # in none of the guest's spaces
    seen = search_people(guest, "han")
    assert [p.username for p in seen.people] == ["hana"]
    assert seen.total == 1 and not seen.total_capped
    assert search_people(member, "han").total_capped


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the planner settings exist on PostgreSQL only")
def test_the_planner_settings_do_not_outlast_a_search_in_a_callers_transaction(
    people: dict[str, User], member: User
) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        assert names(member, "alice") == ["alice"]
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] != "0"
