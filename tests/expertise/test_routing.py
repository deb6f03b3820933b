"""Question routing: who is invited to answer (never the asker, not the opted out, nobody past
their weekly cap, only people who can see the question), load spreading, the invitation's life
(seen, declined, answered) and escalation of what stays unanswered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.conftest import make_person
from waggle.core.errors import Invalid, NotAllowed
from waggle.exchange.actions import do_answer_question, do_ask_question
from waggle.exchange.models import Post
from waggle.expertise.actions import (
    do_decline_invitation,
    do_escalate_due,
    do_escalate_question,
    do_route_question,
    escalation_due,
    mark_invitation_seen,
)
from waggle.expertise.index import rebuild_expertise
from waggle.expertise.models import QuestionInvitation
from waggle.expertise.routing import candidates
from waggle.notify.models import Notification
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.models import Space

Capture = Callable[..., Any]


@pytest.fixture
def helpers(space: Space, host: User) -> list[User]:
    """Seven people who answered #terraform questions; the first knows most."""
    people = [make_person(f"helper{i}", display_name=f"Helper {i}") for i in range(7)]
    for i, person in enumerate(people):
        for n in range(7 - i):
            q = do_ask_question(space, acting_user=host, title=f"#terraform state problem {i}-{n}")
            do_answer_question(q, acting_user=person, body="terraform state mv fixes it")
    rebuild_expertise()
    return people


def ask(space: Space, person: User, **kwargs: Any) -> Post:
    return do_ask_question(space, acting_user=person, title="#terraform plan is slow, why?",
                           **kwargs)


def invited(question: Post) -> list[str]:
    return sorted(QuestionInvitation.objects.filter(question=question)
                  .values_list("person__username", flat=True))


def test_a_routed_question_invites_the_five_likeliest_and_notifies_them(
    helpers: list[User], space: Space, member: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        question = ask(space, member, route=True)
    assert invited(question) == [f"helper{i}" for i in range(5)]
    told = Notification.objects.filter(verb="routed", post=question)
    assert sorted(told.values_list("recipient__username", flat=True)) == invited(question)
    assert set(told.values_list("actor_id", flat=True)) == {None}


def test_without_route_nobody_is_invited(
    helpers: list[User], space: Space, member: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        question = ask(space, member)
    assert invited(question) == []


def test_never_the_asker_nor_who_opted_out(helpers: list[User], space: Space) -> None:
    do_update_profile(helpers[1], acting_user=helpers[1], accept_routed_questions=False)
    question = ask(space, helpers[0])
    names = [c.person.username for c in candidates(question, limit=5)]
    assert "helper0" not in names and "helper1" not in names
    assert names == ["helper2", "helper3", "helper4", "helper5", "helper6"]


def test_the_weekly_cap_is_respected(helpers: list[User], space: Space, member: User) -> None:
    do_update_profile(helpers[0], acting_user=helpers[0], routed_questions_per_week=1)
    first = ask(space, member)
    do_route_question(first, limit=1)
    assert invited(first) == ["helper0"]
    second = do_ask_question(space, acting_user=member, title="#terraform modules or not?")
    assert "helper0" not in [c.person.username for c in candidates(second, limit=7)]
    # A week later the cap is free again.
    later = timezone.now() + dt.timedelta(days=8)
    assert "helper0" in [c.person.username for c in candidates(second, limit=7, now=later)]


def test_load_is_spread_over_several_experts(
    helpers: list[User], space: Space, member: User
) -> None:
    for person in helpers:
        do_update_profile(person, acting_user=person, routed_questions_per_week=50)
    firsts = []
    for n in range(6):
        question = do_ask_question(space, acting_user=member, title=f"#terraform question {n}")
        do_route_question(question, limit=1)
        firsts.append(invited(question)[0])
    assert len(set(firsts)) >= 3
    # Without spreading, the top expert would get every one.
    fresh = do_ask_question(space, acting_user=member, title="#terraform question again")
    assert candidates(fresh, limit=1, spread=False)[0].person.username == "helper0"


def test_only_people_who_can_see_the_question_are_invited(
    helpers: list[User], private_space: Space, host: User, member: User, space: Space
) -> None:
    public = do_ask_question(space, acting_user=host, title="#terraform workspaces?")
    do_answer_question(public, acting_user=member, body="One per environment.")
    rebuild_expertise()
    question = do_ask_question(private_space, acting_user=host, title="#terraform for the deal?")
    names = {c.person.username for c in candidates(question, limit=10)}
    assert names == {"mira"}  # the helpers know more, but are not members of the private space


def test_guests_are_only_invited_into_their_external_space(
    helpers: list[User], external_space: Space, guest: User, host: User, space: Space,
    member: User,
) -> None:
    # The guest knows #terraform best of all, from their external space.
    for n in range(10):
        q = do_ask_question(external_space, acting_user=host, title=f"#terraform at partners {n}")
        do_answer_question(q, acting_user=guest, body="We pin the provider versions.")
    rebuild_expertise()
    outside = ask(space, member)
    assert "gita" not in {c.person.username for c in candidates(outside, limit=20)}
    inside = do_ask_question(external_space, acting_user=host, title="#terraform pinning?")
    assert candidates(inside, limit=1)[0].person.username == "gita"


def test_seen_declined_answered(
    helpers: list[User], space: Space, member: User, django_capture_on_commit_callbacks: Capture
) -> None:
    question = ask(space, member)
    do_route_question(question, limit=3)
    first, second, third = (QuestionInvitation.objects.get(question=question, person=p)
                            for p in helpers[:3])
    mark_invitation_seen(question, helpers[0])
    first.refresh_from_db()
    assert first.state == "seen"
    do_decline_invitation(second, acting_user=helpers[1])
    second.refresh_from_db()
    assert second.state == "declined"
    with pytest.raises(NotAllowed):
        do_decline_invitation(third, acting_user=helpers[0])
    do_answer_question(question, acting_user=helpers[2], body="Use -refresh=false")
    third.refresh_from_db()
    assert third.state == "answered"
    with pytest.raises(Invalid):
        do_decline_invitation(third, acting_user=helpers[2])


@override_settings(WAGGLE_ESCALATE_AFTER_HOURS=24, WAGGLE_ESCALATION_ROUNDS=1)
def test_an_unanswered_question_is_offered_to_the_next_people(
    helpers: list[User], space: Space, member: User
) -> None:
    question = ask(space, member)
    do_route_question(question, limit=2)
    assert escalation_due() == []
    tomorrow = timezone.now() + dt.timedelta(hours=25)
    assert escalation_due(tomorrow) == [question]
    assert do_escalate_due(tomorrow) == 5
    rounds = dict(QuestionInvitation.objects.filter(question=question)
                  .values_list("person__username", "round"))
    assert rounds == {"helper0": 1, "helper1": 1, "helper2": 2, "helper3": 2, "helper4": 2,
                      "helper5": 2, "helper6": 2}
    # One escalation round allowed: nothing is due any more.
    assert escalation_due(timezone.now() + dt.timedelta(days=5)) == []


def test_an_answered_question_is_not_escalated(
    helpers: list[User], space: Space, member: User, host: User
) -> None:
    question = ask(space, member)
    do_route_question(question, limit=2)
    do_answer_question(question, acting_user=helpers[0], body="Split the state.")
    assert escalation_due(timezone.now() + dt.timedelta(days=30)) == []
    with pytest.raises(Invalid):
        do_escalate_question(question, acting_user=host)


def test_only_hosts_escalate_by_hand(
    helpers: list[User], space: Space, member: User, host: User
) -> None:
    question = ask(space, member)
    with pytest.raises(NotAllowed):
        do_escalate_question(question, acting_user=member)
    assert len(do_escalate_question(question, acting_user=host)) == 5


def test_a_question_without_topics_is_routed_by_its_words(
    space: Space, host: User, member: User, other_member: User
) -> None:
    for n in range(2):
        q = do_ask_question(space, acting_user=host, title=f"Kerberos ticket expired {n}")
        do_answer_question(q, acting_user=other_member, body="Run kinit to renew the kerberos "
                           "ticket")
    q = do_ask_question(space, acting_user=host, title="Printer jams on page two")
    do_answer_question(q, acting_user=member, body="Open the back tray")
    rebuild_expertise()
    question = do_ask_question(space, acting_user=member, title="My kerberos ticket keeps "
                               "expiring")
    assert [c.person.username for c in candidates(question, limit=5)][0] == "otto"


def test_a_private_question_reaches_its_members_even_when_outsiders_know_more(
    helpers: list[User], space: Space, private_space: Space, host: User, member: User
) -> None:
    from waggle.expertise.routing import ask_of
    from waggle.expertise.who_knows import rank_people
    from waggle.spaces.models import Membership

    public = do_ask_question(space, acting_user=host, title="#terraform drift?")
    do_answer_question(public, acting_user=member, body="terraform plan -refresh-only")
    rebuild_expertise()
    question = do_ask_question(private_space, acting_user=host, title="#terraform for the deal?")
    members = Membership.objects.filter(space=private_space).values("user_id")
    # Read only the best-ranked person: among everyone it is an outsider; among the members,
    # the member who knows.
    assert [p for p, _ in rank_people(host, ask_of(question), candidates=1)] == [helpers[0].pk]
    assert [p for p, _ in rank_people(host, ask_of(question), candidates=1, among=members)
            ] == [member.pk]
    assert [c.person.username for c in candidates(question, limit=5)] == ["mira"]
