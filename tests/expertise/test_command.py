"""`waggle expertise rebuild` and `waggle expertise escalate`, as an operator runs them."""

from __future__ import annotations

import datetime as dt
from io import StringIO

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from waggle.exchange.actions import do_answer_question, do_ask_question
from waggle.expertise.actions import do_route_question
from waggle.expertise.models import Expertise, QuestionInvitation
from waggle.people.models import User
from waggle.spaces.models import Space


def run(*args: str) -> str:
    out = StringIO()
    call_command("expertise", *args, stdout=out)
    return out.getvalue()


def test_rebuild_recomputes_from_the_evidence(space: Space, host: User, member: User) -> None:
    q = do_ask_question(space, acting_user=host, title="#dbt models or views?")
    do_answer_question(q, acting_user=member, body="Models.")
    Expertise.objects.all().delete()  # as after restoring a backup without derived data
    assert "Rebuilt expertise: 1 rows" in run("rebuild")
    assert Expertise.objects.get().person == member


@override_settings(WAGGLE_ESCALATE_AFTER_HOURS=0)
def test_escalate_offers_unanswered_questions_to_the_next_people(
    space: Space, host: User, member: User, other_member: User
) -> None:
    for person in (member, other_member):
        q = do_ask_question(space, acting_user=host, title=f"#dbt question by {person}")
        do_answer_question(q, acting_user=person, body="Use models.")
    call_command("expertise", "rebuild", stdout=StringIO())
    question = do_ask_question(space, acting_user=host, title="#dbt tests are slow")
    do_route_question(question, limit=1)
    QuestionInvitation.objects.update(invited_at=timezone.now() - dt.timedelta(minutes=1))
    assert "Invited 1 more people" in run("escalate")
    assert QuestionInvitation.objects.filter(question=question).count() == 2
