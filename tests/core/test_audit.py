"""The audit log: every action leaves an entry; only administrators read it, nobody edits it."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from tests.conftest import client_for
from waggle.core import audit
from waggle.core.models import AuditEntry
from waggle.exchange.actions import do_ask_question
from waggle.people.models import User
from waggle.spaces.models import Space

CHANGELIST = "/admin/core/auditentry/"


def test_system_actions_have_no_actor(space: Space) -> None:
    for actor in (None, AnonymousUser()):
        entry = audit.record(actor, "import_started", space, archive="slack.zip")
        assert entry.actor is None
        assert (entry.target_type, entry.target_id) == ("spaces.space", space.pk)
        assert entry.data == {"archive": "slack.zip"}
    assert audit.record(None, "nightly").target_type == ""


def test_an_administrator_reads_who_asked_an_anonymous_question(
    space: Space, member: User, admin_user: User
) -> None:
    q = do_ask_question(space, acting_user=member, title="Anonymous: am I underpaid?",
                        anonymous=True)
    entry = AuditEntry.objects.get(action="ask_question", target_id=q.pk)
    response = client_for(admin_user).get(f"{CHANGELIST}{entry.pk}/change/")
    assert response.status_code == 200
    assert member.name in response.content.decode()


def test_nobody_else_reads_the_audit_log(space: Space, member: User, host: User) -> None:
    for person in (member, host, None):
        response = client_for(person).get(CHANGELIST)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_the_audit_log_cannot_be_edited_even_by_an_administrator(
    space: Space, host: User, admin_user: User
) -> None:
    entry = AuditEntry.objects.get(action="create_space")
    client = client_for(admin_user)
    assert client.get(f"{CHANGELIST}add/").status_code == 403
    assert client.post(f"{CHANGELIST}{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(f"{CHANGELIST}{entry.pk}/change/", {"action": "forged"})
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.action == "create_space" and entry.actor == host
