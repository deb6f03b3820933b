"""Shared fixtures: every object is made through the real actions, as a user would."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from waggle.exchange.actions import do_answer_question, do_ask_question
from waggle.exchange.models import Post
from waggle.people.actions import do_create_department, do_create_person
from waggle.people.models import User
from waggle.spaces.actions import (
    do_create_space,
    do_invite_to_space,
    do_join_space,
    do_respond_to_invitation,
)
from waggle.spaces.models import Space

PASSWORD = "a-long-test-password-42"


def make_person(username: str, **kwargs: Any) -> User:
    return do_create_person(username, password=PASSWORD, email=f"{username}@example.org", **kwargs)


@pytest.fixture
def department(db: Any) -> Any:
    return do_create_department("Engineering")


@pytest.fixture
def host(db: Any, department: Any) -> User:
    """Hosts `space`, `private_space` and `external_space`."""
    return make_person("hana", display_name="Hana Host", department=department)


@pytest.fixture
def member(db: Any, department: Any) -> User:
    """A member of `space` and `private_space`."""
    return make_person("mira", display_name="Mira Member", department=department)


@pytest.fixture
def other_member(db: Any) -> User:
    """A member of `space` only."""
    return make_person("otto", display_name="Otto Other")


@pytest.fixture
def outsider(db: Any) -> User:
    """Signed in, but a member of no space."""
    return make_person("oscar", display_name="Oscar Outsider")


@pytest.fixture
def admin_user(db: Any) -> User:
    return make_person("ada", display_name="Ada Admin", is_staff=True)


@pytest.fixture
def guest(db: Any) -> User:
    """A partner invited into `external_space` only."""
    return make_person("gita", display_name="Gita Guest", is_guest=True)


@pytest.fixture
def space(host: User, member: User, other_member: User) -> Space:
    s = do_create_space("Data Science", acting_user=host, description="All things data")
    do_join_space(s, acting_user=member)
    do_join_space(s, acting_user=other_member)
    return s


@pytest.fixture
def private_space(host: User, member: User) -> Space:
    s = do_create_space("Mergers", acting_user=host, visibility=Space.Visibility.PRIVATE)
    invitation = do_invite_to_space(s, member, acting_user=host)
    do_respond_to_invitation(invitation, accept=True, acting_user=member)
    return s


@pytest.fixture
def external_space(host: User, guest: User) -> Space:
    s = do_create_space("Partner Portal", acting_user=host, visibility=Space.Visibility.EXTERNAL)
    invitation = do_invite_to_space(s, guest, acting_user=host)
    do_respond_to_invitation(invitation, accept=True, acting_user=guest)
    return s


@pytest.fixture
def question(space: Space, member: User) -> Post:
    return do_ask_question(
        space, acting_user=member, title="How do we tune #postgres queries?",
        body="Our reports take minutes. Where do I start?",
    )


@pytest.fixture
def answer(question: Post, other_member: User) -> Post:
    return do_answer_question(
        question, acting_user=other_member, body="Start with EXPLAIN ANALYZE."
    )


@pytest.fixture
def private_question(private_space: Space, member: User) -> Post:
    return do_ask_question(
        private_space, acting_user=member, title="Which firm are we acquiring?",
        body="Confidential #deal",
    )


@pytest.fixture
def external_question(external_space: Space, guest: User) -> Post:
    return do_ask_question(
        external_space, acting_user=guest, title="How do I use your export API?",
        body="We need nightly exports.",
    )


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def member_client(member: User) -> Client:
    return client_for(member)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return client_for(outsider)
