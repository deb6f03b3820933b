"""Web UI fixtures: a whole thread (answers, comments, value, kudos) built through actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.conftest import client_for
from waggle.exchange.actions import do_accept_answer, do_comment
from waggle.exchange.models import Comment, Post
from waggle.people.models import User
from waggle.value.actions import do_give_kudos, do_report_value

HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class Thread:
    question: Post
    answer: Post
    comment: Comment  # by the member, on the answer


@pytest.fixture
def thread(question: Post, answer: Post, member: User) -> Thread:
    """The member's question, answered by other_member; the member comments, accepts the
    answer and reports that it solved a problem and saved 90 minutes."""
    comment = do_comment(answer, acting_user=member, body="Worked for me, thanks!")
    do_accept_answer(question, answer, acting_user=member)
    do_report_value(acting_user=member, post=answer, solved_problem=True, minutes_saved=90)
    return Thread(question=question, answer=answer, comment=comment)


@pytest.fixture
def other_client(other_member: User) -> Client:
    return client_for(other_member)


@pytest.fixture
def host_client(host: User) -> Client:
    return client_for(host)


@pytest.fixture
def guest_client(guest: User) -> Client:
    return client_for(guest)


@pytest.fixture
def kudos_on_answer(thread: Thread, member: User) -> Any:
    return do_give_kudos(acting_user=member, post=thread.answer, message="You saved my week")


def text_of(response: Any) -> str:
    """The page's main content (without nav and footer, which name the viewer), as HTML."""
    html = response.content.decode()
    if "<main" in html:
        html = html.split("<main", 1)[1].split("</main>", 1)[0]
    return html


def whole_page(response: Any) -> str:
    return response.content.decode()
