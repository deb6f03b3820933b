"""Space health on hand-built spaces with known answers (members, active members, answer rate,
median time to first answer, the unanswered queue, weekly series), small spaces hidden, ghost
towns found on a planted declining space and not on a healthy one, with suggestions a host can
act on, and who may see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.conftest import make_person
from waggle.core.errors import NotAllowed, NotFound
from waggle.exchange.actions import (
    do_answer_question,
    do_ask_question,
    do_comment,
    do_post_update,
)
from waggle.exchange.models import Post
from waggle.expertise.index import rebuild_expertise
from waggle.insights.access import access_space_health, can_see_space_health
from waggle.insights.health import space_health
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.actions import do_create_space, do_join_space
from waggle.spaces.models import Space

NOW = timezone.now().replace(microsecond=0)
DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)


def ago(days: float = 0, hours: float = 0) -> dt.datetime:
    return NOW - dt.timedelta(days=days, hours=hours)


def people(prefix: str, n: int) -> list[User]:
    return [make_person(f"{prefix}{i}", display_name=f"{prefix.title()} {i}") for i in range(n)]


def space_with(host: User, members: list[User], name: str, **kwargs: Any) -> Space:
    space = do_create_space(name, acting_user=host, **kwargs)
    for person in members:
        do_join_space(space, acting_user=person)
    return space


def ask(space: Space, asker: User, at: dt.datetime, title: str = "How do we do this?") -> Post:
    return do_ask_question(space, acting_user=asker, title=title, created_at=at)


def answer(question: Post, helper: User, after: dt.timedelta) -> Post:
    return do_answer_question(question, acting_user=helper, body="Like this.",
                              created_at=question.created_at + after)


# --- the figures --------------------------------------------------------------------------------


@pytest.fixture
def team(host: User) -> list[User]:
    return people("teammate", 5)


@pytest.fixture
def platform(host: User, team: list[User]) -> Space:
    """Six members (the host and five teammates) with known activity:
    - teammate0 asked five questions 10-14 days ago, answered after 1, 2, 3, 4 and 5 hours
      (by teammate1 and teammate2; one got a second answer later), one 3 days ago that nobody
      answered, and one 200 days ago that nobody answered either;
    - teammate3 commented 40 days ago (not active lately); teammate4 posted an update 5 days
      ago; the host did nothing."""
    space = space_with(host, team, "Platform")
    asker, first, second, idle, updater = team
    for i in range(5):
        question = ask(space, asker, ago(days=10 + i), f"Question number {i}?")
        answer(question, first if i < 3 else second, (i + 1) * HOUR)
        if i == 0:
            answer(question, second, 10 * HOUR)
    ask(space, asker, ago(days=3), "Still waiting on this one?")
    old = ask(space, asker, ago(days=200), "An old question nobody took?")
    do_comment(old, acting_user=idle, body="Good question.", created_at=ago(days=40))
    do_post_update(space, acting_user=updater, body="Shipped the new runner.",
                   created_at=ago(days=5))
    return space


def test_the_figures_of_a_hand_built_space(platform: Space, host: User) -> None:
    health = space_health(platform, viewer=host, now=NOW, weeks=12)
    assert not health.hidden
    assert health.members == 6
    assert health.active_members == 4  # the asker, both answerers, the updater
    assert health.questions_asked == 6  # the 200-day-old one is outside the 12 weeks
    assert health.questions_answered == 5
    assert health.answer_rate == pytest.approx(5 / 6, abs=1e-4)
    assert health.median_hours_to_first_answer == 3.0  # of 1, 2, 3, 4, 5 (not the 10)
    assert health.unanswered == 2  # the recent one and the old one


def test_the_weekly_series_adds_up_and_ends_now(platform: Space, host: User) -> None:
    health = space_health(platform, viewer=host, now=NOW, weeks=12)
    assert len(health.weekly) == 12
    assert health.weekly[0].start == NOW - dt.timedelta(weeks=12)
    assert sum(w.questions for w in health.weekly) == 6
    assert sum(w.answered for w in health.weekly) == 5
    last = health.weekly[-1]  # the last seven days: one question, the update
    assert (last.questions, last.answered, last.active_people) == (1, 0, 2)
    # 7 to 14 days ago (a week includes its start): the five questions of 10 to 14 days ago,
    # all answered, by the asker and the two answerers.
    previous = health.weekly[-2]
    assert (previous.questions, previous.answered, previous.active_people) == (5, 5, 3)


def test_a_median_of_fewer_than_k_answers_is_not_given(platform: Space, host: User) -> None:
    with override_settings(WAGGLE_MIN_GROUP_SIZE=6):
        assert space_health(platform, viewer=host, now=NOW).hidden is False
        assert space_health(platform, viewer=host, now=NOW).median_hours_to_first_answer is None


def test_a_space_smaller_than_k_shows_no_figures(host: User, team: list[User]) -> None:
    small = space_with(host, team[:3], "Tiny team")  # four members
    ask(small, team[0], ago(days=2))
    health = space_health(small, viewer=host, now=NOW)
    assert health.hidden
    assert health.members is None and health.questions_asked is None
    assert health.unanswered is None and health.weekly == [] and not health.ghost_town
    do_join_space(small, acting_user=team[3])
    assert not space_health(small, viewer=host, now=NOW).hidden


def test_people_who_opted_out_are_not_counted(platform: Space, host: User,
                                              team: list[User]) -> None:
    before = space_health(platform, viewer=host, now=NOW)
    do_update_profile(team[4], acting_user=team[4], opt_out_analytics=True)
    after = space_health(platform, viewer=host, now=NOW)
    assert after.members == before.members - 1  # type: ignore[operator]
    assert after.active_members == before.active_members - 1  # type: ignore[operator]
    assert after.weekly[-1].active_people == 1


# --- ghost towns --------------------------------------------------------------------------------


@pytest.fixture
def guild(host: User) -> tuple[Space, list[User]]:
    """A space that was busy four to eight weeks ago (eight #kubernetes questions, all answered
    the same day) and where the last four weeks brought two questions nobody answered."""
    crowd = people("guildie", 5)
    space = space_with(host, crowd, "Kubernetes Guild")
    for i in range(8):
        question = ask(space, crowd[i % 2], ago(days=30 + 3 * i), f"#kubernetes pods {i}?")
        answer(question, crowd[2 + i % 3], 3 * HOUR)
    ask(space, crowd[0], ago(days=20), "#kubernetes ingress keeps failing?")
    ask(space, crowd[1], ago(days=10), "#kubernetes node pools?")
    rebuild_expertise()
    return space, crowd


@pytest.fixture
def healthy(host: User) -> Space:
    """Steady: two questions a week for eight weeks, each answered within hours."""
    crowd = people("regular", 5)
    space = space_with(host, crowd, "Data Guild")
    for week in range(8):
        for i in range(2):
            question = ask(space, crowd[i], ago(days=7 * week + 3 + i), f"Pandas {week}-{i}?")
            answer(question, crowd[2 + (week + i) % 3], 2 * HOUR)
    return space


def test_a_declining_space_with_unanswered_questions_is_a_ghost_town(
    guild: tuple[Space, list[User]], host: User
) -> None:
    space, _ = guild
    health = space_health(space, viewer=host, now=NOW)
    assert health.signals is not None
    assert (health.signals.activity_recent, health.signals.activity_before) == (2, 16)
    assert health.signals.unanswered_share_recent == 1.0
    assert health.signals.falling and health.signals.going_unanswered
    assert health.ghost_town


def test_a_healthy_space_is_not_a_ghost_town(healthy: Space, host: User) -> None:
    health = space_health(healthy, viewer=host, now=NOW)
    assert health.signals is not None
    assert not health.signals.falling and not health.signals.going_unanswered
    assert not health.ghost_town and health.suggestions is None
    assert health.answer_rate == 1.0


def test_a_quiet_space_whose_questions_get_answered_is_not_a_ghost_town(
    guild: tuple[Space, list[User]], host: User
) -> None:
    space, crowd = guild
    for question in Post.objects.filter(space=space, kind=Post.Kind.QUESTION, answer_count=0):
        answer(question, crowd[4], 2 * HOUR)
    health = space_health(space, viewer=host, now=NOW)
    assert health.signals is not None and health.signals.falling
    assert not health.ghost_town


def test_a_ghost_town_comes_with_helpers_to_route_to_and_people_to_invite(
    guild: tuple[Space, list[User]], host: User, private_space: Space, member: User
) -> None:
    space, crowd = guild
    elsewhere = do_create_space("Platform Engineering", acting_user=host)
    asker, shy, secret = people("elsewhere", 3)
    ask(elsewhere, asker, ago(days=60), "#kubernetes autoscaling?")
    ask(elsewhere, shy, ago(days=50), "#kubernetes secrets?")
    do_update_profile(shy, acting_user=shy, opt_out_analytics=True)
    # Asked in a private space the host is not a member of: never suggested from there.
    hidden_space = do_create_space("Skunkworks", acting_user=secret,
                                   visibility=Space.Visibility.PRIVATE)
    ask(hidden_space, secret, ago(days=40), "#kubernetes for the secret project?")
    ask(elsewhere, crowd[3], ago(days=40), "#kubernetes a member asking elsewhere?")

    health = space_health(space, viewer=host, now=NOW)
    assert health.ghost_town and health.suggestions is not None
    route = health.suggestions.route
    assert [s.question.title for s in route] == [
        "#kubernetes node pools?", "#kubernetes ingress keeps failing?",
    ]
    answerers = {crowd[2].pk, crowd[3].pk, crowd[4].pk}
    for suggestion in route:
        assert suggestion.helpers
        assert {p.pk for p in suggestion.helpers} <= answerers
        assert suggestion.question.author_id not in {p.pk for p in suggestion.helpers}
    invite = health.suggestions.invite
    assert [t.name for t in invite.topics] == ["kubernetes"]
    assert [p.username for p in invite.people] == ["elsewhere0"]
    assert invite.count == 1


def test_without_a_viewer_there_are_figures_but_no_suggestions(
    guild: tuple[Space, list[User]]
) -> None:
    space, _ = guild
    health = space_health(space, now=NOW)
    assert health.ghost_town and health.suggestions is None


# --- who may see it -----------------------------------------------------------------------------


def test_only_hosts_see_a_space_s_health(
    platform: Space, host: User, team: list[User], admin_user: User, outsider: User,
    private_space: Space, member: User
) -> None:
    assert access_space_health(host, platform.slug) == platform
    assert can_see_space_health(host, platform)
    for person in (team[0], admin_user, outsider):
        assert not can_see_space_health(person, platform)
        with pytest.raises(NotAllowed):
            access_space_health(person, platform.slug)
    with pytest.raises(NotAllowed):  # a member of the private space, not its host
        access_space_health(member, private_space.slug)
    for person in (admin_user, outsider):  # they cannot see the private space at all
        with pytest.raises(NotFound):
            access_space_health(person, private_space.slug)
