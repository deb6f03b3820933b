"""Feeds (waggle/exchange/feeds.py) and their keyset paging: what lands in which feed, always
through the gate, newest first, and pages that neither repeat nor skip a post."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone

from tests.conftest import make_person
from waggle.exchange import feeds
from waggle.exchange.actions import do_ask_question, do_follow, do_post_update
from waggle.exchange.feeds import FEED_ORDER, home_feed, person_feed, space_feed, topic_feed
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.spaces.actions import do_create_space
from waggle.spaces.models import Space
from waggle.topics.models import Topic
from waggle.web.paging import keyset_page


def titles(posts: object) -> set[str]:
    return {p.title or p.body for p in posts}  # type: ignore[attr-defined]


def test_home_feed_is_my_spaces_and_my_follows_through_the_gate(
    space: Space, private_space: Space, member: User, host: User, outsider: User,
    question: Post, answer: Post, private_question: Post,
) -> None:
    elsewhere = do_create_space("Elsewhere", acting_user=host)
    by_host = do_ask_question(elsewhere, acting_user=host, title="Host asks elsewhere")
    tagged = do_ask_question(elsewhere, acting_user=outsider, title="About #kubernetes today")
    in_space = do_post_update(elsewhere, acting_user=outsider, body="An update elsewhere")
    unrelated = do_ask_question(elsewhere, acting_user=outsider, title="Unrelated question")

    # Posting in Elsewhere made the outsider a member: all of it is in their feed.
    assert titles(home_feed(outsider)) == titles([by_host, tagged, in_space, unrelated])
    feed = titles(home_feed(member))
    assert feed == {question.title, private_question.title}
    do_follow(acting_user=member, person=host)
    do_follow(acting_user=member, topic=Topic.objects.get(name="kubernetes"))
    feed = titles(home_feed(member))
    assert {by_host.title, tagged.title} <= feed and unrelated.title not in feed
    do_follow(acting_user=member, space=elsewhere)
    assert unrelated.title in titles(home_feed(member))
    # Answers are never feed items.
    assert all(p.kind != Post.Kind.ANSWER for p in home_feed(member, everything=True))
    # Following a person never shows what they share in a space hidden from the follower.
    do_follow(acting_user=outsider, person=member)
    assert private_question.title not in titles(home_feed(outsider))
    assert private_question.title not in titles(home_feed(outsider, everything=True))


def test_space_topic_and_person_feeds(
    space: Space, private_space: Space, member: User, outsider: User, question: Post,
    private_question: Post,
) -> None:
    anonymous = do_ask_question(space, acting_user=member, title="Anonymous one #postgres",
                                anonymous=True)
    assert titles(space_feed(outsider, space)) == {question.title, anonymous.title}
    assert list(space_feed(outsider, private_space)) == []
    postgres = Topic.objects.get(name="postgres")
    assert titles(topic_feed(outsider, postgres)) == {question.title, anonymous.title}
    deal = Topic.objects.get(name="deal")
    assert list(topic_feed(outsider, deal)) == []
    assert titles(topic_feed(member, deal)) == {private_question.title}
    # The anonymous question never appears under the asker's name.
    assert titles(person_feed(member, member)) == {question.title, private_question.title}
    assert titles(person_feed(outsider, member)) == {question.title}


def test_feeds_are_newest_first(space: Space, member: User) -> None:
    now = timezone.now()
    for days in (3, 1, 2):
        do_ask_question(space, acting_user=member, title=f"Asked {days} days ago",
                        created_at=now - dt.timedelta(days=days))
    assert [p.title for p in space_feed(member, space)] == [
        "Asked 1 days ago", "Asked 2 days ago", "Asked 3 days ago"]


def test_keyset_pages_neither_repeat_nor_skip_even_with_equal_timestamps(
    space: Space, member: User
) -> None:
    same = timezone.now().replace(microsecond=0)
    for i in range(23):
        when = same if i % 2 else same - dt.timedelta(minutes=i)
        do_ask_question(space, acting_user=member, title=f"Tied question {i:02d}",
                        created_at=when)
    feed = home_feed(member, everything=True)
    expected = [p.pk for p in feed]
    seen: list[int] = []
    params = QueryDict(mutable=True)
    while True:
        page = keyset_page(feed, FEED_ORDER, params, size=5)
        seen.extend(p.pk for p in page.items)
        if page.older is None:
            break
        params = QueryDict(mutable=True)
        params["after"] = page.older
    assert seen == expected
    # And back again with `before`.
    back: list[int] = []
    params = QueryDict(mutable=True)
    params["before"] = page.newer or ""
    while params.get("before"):
        newer = keyset_page(feed, FEED_ORDER, params, size=5)
        back = [p.pk for p in newer.items] + back
        params = QueryDict(mutable=True)
        if newer.newer:
            params["before"] = newer.newer
    assert back + [p.pk for p in page.items] == expected


def test_a_guest_feed_holds_only_their_external_space(
    question: Post, external_question: Post, guest: User
) -> None:
    assert titles(home_feed(guest, everything=True)) == {external_question.title}
    assert titles(home_feed(guest)) == {external_question.title}


def test_an_outsider_sees_no_private_post_in_any_feed(
    private_question: Post, db: object
) -> None:
    stranger = make_person("stranger")
    # Following the asker and the question's topic reaches no further than the gate.
    do_follow(acting_user=stranger, person=private_question.author)
    do_follow(acting_user=stranger, topic=Topic.objects.get(name="deal"))
    assert private_question.pk not in {p.pk for p in home_feed(stranger, everything=True)}
    assert private_question.pk not in {p.pk for p in home_feed(stranger)}


@pytest.mark.parametrize("one_by_one", [20, 1], ids=["space by space", "spaces together"])
def test_home_feed_merges_its_sources_page_by_page(
    space: Space, private_space: Space, member: User, host: User, outsider: User,
    one_by_one: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Past the threshold the viewer's spaces are read in one go; both ways give one order.
    monkeypatch.setattr(feeds, "SPACES_READ_ONE_BY_ONE", one_by_one)
    elsewhere = do_create_space("Elsewhere", acting_user=outsider)
    hidden = do_create_space("Hidden", acting_user=host, visibility="private")
    now = timezone.now().replace(microsecond=0)

    def at(minutes: int) -> dt.datetime:
        # Every third post shares its minute with another: ties are broken by id.
        return now - dt.timedelta(minutes=minutes - minutes % 3)

    made = []
    for i in range(18):  # the viewer's own spaces: enough to fill pages on their own
        made.append(do_post_update(space if i % 2 else private_space, acting_user=host,
                                   body=f"In my space {i}", created_at=at(10 * i)))
    for i in range(7):  # followed person and topic, older and newer than those pages' edges
        made.append(do_ask_question(elsewhere, acting_user=host, title=f"Host asks {i}",
                                    created_at=at(27 * i + 1)))
        made.append(do_post_update(elsewhere, acting_user=outsider,
                                   body=f"About #kubernetes {i}", created_at=at(23 * i + 2)))
    # In my space, by the person I follow, about the topic I follow: listed once.
    made.append(do_ask_question(space, acting_user=host, title="Everything at once #kubernetes",
                                created_at=at(50)))
    unrelated = do_ask_question(elsewhere, acting_user=outsider, title="Unrelated",
                                created_at=at(5))
    secret = do_ask_question(hidden, acting_user=host, title="Hidden #kubernetes",
                             created_at=at(6))
    do_follow(acting_user=member, person=host)
    do_follow(acting_user=member, topic=Topic.objects.get(name="kubernetes"))

    expected = [p.pk for p in sorted(made, key=lambda p: (p.created_at, p.pk), reverse=True)]
    assert unrelated.pk not in expected and secret.pk not in expected
    feed = home_feed(member)
    assert [p.pk for p in feed] == expected

    seen: list[int] = []
    params = QueryDict(mutable=True)
    pages = []
    while True:
        page = keyset_page(feed, FEED_ORDER, params, size=4)
        pages.append(page)
        seen.extend(p.pk for p in page.items)
        if page.older is None:
            break
        params = QueryDict(mutable=True)
        params["after"] = page.older
    assert seen == expected
    # And back towards the newest with `before`, page by page.
    for older, newer in zip(pages[:0:-1], pages[-2::-1], strict=True):
        params = QueryDict(mutable=True)
        params["before"] = older.newer or ""
        assert [p.pk for p in keyset_page(feed, FEED_ORDER, params, size=4).items] == [
            p.pk for p in newer.items]


def test_a_post_on_a_followed_topic_as_old_as_the_last_of_my_spaces_page_is_not_lost(
    space: Space, member: User, host: User, outsider: User
) -> None:
    # My spaces fill the first page (4 posts, and one more to know there is more), the last
    # two at the same minute; a post on a topic I follow came at that same minute, later
    # (a higher id), so it belongs on the first page, between them.
    elsewhere = do_create_space("Elsewhere", acting_user=outsider)
    edge = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    mine = [do_post_update(space, acting_user=outsider, body=f"Newer {i}",
                           created_at=edge + dt.timedelta(minutes=3 - i)) for i in range(3)]
    tied = [do_post_update(space, acting_user=outsider, body=f"Tied {i}", created_at=edge)
            for i in range(2)]
    older = [do_post_update(space, acting_user=outsider, body=f"Older {i}",
                            created_at=edge - dt.timedelta(minutes=1 + i)) for i in range(3)]
    followed = do_ask_question(elsewhere, acting_user=host, title="Same minute #kubernetes",
                               created_at=edge)
    do_follow(acting_user=member, topic=Topic.objects.get(name="kubernetes"))
    expected = [p.pk for p in [*mine, followed, *reversed(tied), *older]]

    seen: list[int] = []
    params = QueryDict(mutable=True)
    while True:
        page = keyset_page(home_feed(member), FEED_ORDER, params, size=4)
        seen.extend(p.pk for p in page.items)
        if page.older is None:
            break
        params = QueryDict(mutable=True)
        params["after"] = page.older
    assert seen == expected
