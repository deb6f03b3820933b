"""Value reports and kudos are visible exactly when the post or comment they are about is."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from waggle.exchange.actions import do_answer_question, do_comment
from waggle.exchange.models import Post
from waggle.people.models import User
from waggle.spaces.actions import do_leave_space
from waggle.value.access import visible_kudos, visible_value_reports
from waggle.value.actions import do_give_kudos, do_report_value

EXPECTED = {
    "anonymous": set(),
    "outsider": {"open", "external"},
    "member": {"open", "private", "external"},
    "host": {"open", "private", "external"},
    "admin": {"open", "external"},
    "guest": {"external"},
}


@pytest.fixture
def recognition(
    question: Post, private_question: Post, external_question: Post, member: User,
    guest: User, host: User,
) -> dict[str, tuple[set[int], set[int]]]:
    """Per space: the ids of the value reports and kudos given there (on a post and on a
    comment, so both paths to the space are exercised)."""
    result = {}
    for key, q, asker in (("open", question, member), ("private", private_question, member),
                          ("external", external_question, guest)):
        a = do_answer_question(q, acting_user=host, body="Here is how")
        c = do_comment(a, acting_user=host, body="And a detail")
        reports = {
            do_report_value(acting_user=asker, post=a, solved_problem=True).pk,
            do_report_value(acting_user=asker, comment=c, learned_something=True).pk,
        }
        kudos = {
            do_give_kudos(acting_user=asker, post=a, message="Thank you").pk,
            do_give_kudos(acting_user=asker, comment=c, message="Thanks for the detail").pk,
        }
        result[key] = (reports, kudos)
    return result


@pytest.mark.parametrize("viewer", list(EXPECTED))
def test_value_and_kudos_follow_their_space(
    recognition: dict[str, tuple[set[int], set[int]]], viewer: str, outsider: User,
    member: User, host: User, admin_user: User, guest: User,
) -> None:
    users: dict[str, Any] = {
        "anonymous": AnonymousUser(), "outsider": outsider, "member": member, "host": host,
        "admin": admin_user, "guest": guest,
    }
    user = users[viewer]
    want_reports = set().union(*(r for k, (r, _) in recognition.items() if k in EXPECTED[viewer]))
    want_kudos = set().union(*(k_ for k, (_, k_) in recognition.items()
                               if k in EXPECTED[viewer]))
    assert set(visible_value_reports(user).values_list("pk", flat=True)) == want_reports
    assert set(visible_kudos(user).values_list("pk", flat=True)) == want_kudos


def test_value_in_a_private_space_vanishes_from_view_of_someone_who_leaves(
    recognition: dict[str, tuple[set[int], set[int]]], private_question: Post, member: User
) -> None:
    reports, kudos = recognition["private"]
    assert reports <= set(visible_value_reports(member).values_list("pk", flat=True))
    do_leave_space(private_question.space, acting_user=member)
    # They gave it themselves, yet it is about a post they can no longer see.
    assert not visible_value_reports(member).filter(pk__in=reports).exists()
    assert not visible_kudos(member).filter(pk__in=kudos).exists()


def test_an_inactive_person_sees_no_value_or_kudos(
    recognition: dict[str, tuple[set[int], set[int]]], host: User
) -> None:
    host.is_active = False
    host.save()
    assert not visible_value_reports(host).exists()
    assert not visible_kudos(host).exists()
