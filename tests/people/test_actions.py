"""People actions: accounts, profiles, skills, privacy choices; `createadmin` and `waggle`."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from tests.conftest import PASSWORD, make_person
from waggle.core.errors import Invalid, NotAllowed
from waggle.core.models import AuditEntry
from waggle.people.actions import (
    do_create_department,
    do_create_person,
    do_create_team,
    do_update_profile,
)
from waggle.people.models import User
from waggle.topics.models import Topic

VENV_BIN = Path(sys.executable).parent


# --- accounts -----------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["a", "7", "mira.k", "mira-k_2", "M" * 150])
def test_valid_usernames(db: None, username: str) -> None:
    person = make_person(username)
    assert person.username == username
    assert authenticate(username=username, password=PASSWORD) == person


@pytest.mark.parametrize(
    "username", ["", "   ", ".mira", "-mira", "_mira", "mi ra", "mira@corp", "mïra", "m" * 151]
)
def test_invalid_usernames(db: None, username: str) -> None:
    with pytest.raises(Invalid) as exc:
        make_person(username)
    assert exc.value.field == "username"
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["who-knows", "Who-Knows"])
def test_a_username_that_is_an_address_of_waggle_is_refused(db: None, username: str) -> None:
    with pytest.raises(Invalid, match="reserved") as exc:
        make_person(username)
    assert exc.value.field == "username"
    assert not User.objects.exists()


def test_a_username_is_trimmed(db: None) -> None:
    assert make_person("  lena ").username == "lena"


@pytest.mark.parametrize("taken", ["mira", "MIRA", "Mira"])
def test_usernames_are_unique_whatever_the_case(member: User, taken: str) -> None:
    with pytest.raises(Invalid) as exc:
        make_person(taken)
    assert exc.value.field == "username"
    assert User.objects.filter(username__iexact="mira").count() == 1


@pytest.mark.parametrize("password", ["short", "password123", "lena-lena-lena"])
def test_weak_passwords_are_refused(db: None, password: str) -> None:
    with pytest.raises(Invalid) as exc:
        do_create_person("lena", password=password, email="lena-lena-lena@example.org")
    assert exc.value.field == "password"
    assert not User.objects.exists()


def test_an_imported_person_may_skip_the_password_rules_or_have_none(db: None) -> None:
    imported = do_create_person("legacy", password="x", check_password=False)
    assert imported.check_password("x")
    harvested = do_create_person("from-slack")
    assert not harvested.has_usable_password()


def test_a_new_person_is_audited_and_administrators_are_flagged(db: None) -> None:
    admin = make_person("root", is_staff=True)
    assert admin.is_staff and admin.is_superuser and not admin.is_guest
    guest = make_person("partner", is_guest=True)
    assert guest.is_guest and not guest.is_staff
    entry = AuditEntry.objects.get(action="create_person", target_id=admin.pk)
    assert entry.data == {"is_guest": False, "is_staff": True}


def test_a_team_puts_a_person_in_its_department(db: None) -> None:
    finance = do_create_department("Finance")
    payroll = do_create_team("Payroll", finance)
    person = make_person("fin", team=payroll)
    assert person.department == finance and person.team == payroll


def test_departments_and_teams_are_made_once(db: None) -> None:
    first = do_create_department(" Finance ")
    again = do_create_department("Finance")
    assert first.pk == again.pk and first.slug == "finance"
    assert do_create_team("Payroll", first).pk == do_create_team("Payroll", first).pk
    assert AuditEntry.objects.filter(action="create_department").count() == 1
    assert AuditEntry.objects.filter(action="create_team").count() == 1
    with pytest.raises(Invalid):
        do_create_department("  ")
    with pytest.raises(Invalid):
        do_create_team("", first)


# --- profiles -----------------------------------------------------------------------------


def test_a_person_updates_their_own_profile(member: User) -> None:
    research = do_create_department("Research")
    do_update_profile(member, acting_user=member, display_name=" Mira K. ", title="Analyst",
                      location="Ghent", bio="I like *SQL*", department=research)
    stored = User.objects.get(pk=member.pk)
    assert (stored.display_name, stored.title, stored.location) == ("Mira K.", "Analyst", "Ghent")
    assert stored.bio == "I like *SQL*" and stored.department == research
    assert stored.name == "Mira K."
    entry = AuditEntry.objects.filter(action="update_profile").get()
    assert entry.actor == member
    assert entry.data == {"fields": ["bio", "department", "display_name", "location", "title"]}


def test_nobody_else_updates_a_profile(
    member: User, admin_user: User, other_member: User
) -> None:
    for someone in (other_member, admin_user, None):
        with pytest.raises(NotAllowed):
            do_update_profile(member, acting_user=someone, display_name="Hacked")
    assert User.objects.get(pk=member.pk).display_name == "Mira Member"
    assert not AuditEntry.objects.filter(action="update_profile").exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("display_name", "d" * 151), ("title", "t" * 151), ("location", "l" * 151),
     ("bio", "b" * 5001), ("department", "Engineering"), ("team", 3), ("is_staff", True),
     ("username", "boss")],
)
def test_profile_rules(member: User, field: str, value: object) -> None:
    with pytest.raises(Invalid) as exc:
        do_update_profile(member, acting_user=member, **{field: value})
    assert exc.value.field == field
    stored = User.objects.get(pk=member.pk)
    assert not stored.is_staff and stored.username == "mira"
    assert stored.display_name == "Mira Member"


def test_skills_are_topics(member: User) -> None:
    do_update_profile(member, acting_user=member, skills=["PostgreSQL", "#Data Science", ""])
    assert sorted(member.skills.values_list("name", flat=True)) == ["data-science", "postgresql"]
    do_update_profile(member, acting_user=member, skills=["python"])
    assert list(member.skills.values_list("name", flat=True)) == ["python"]
    do_update_profile(member, acting_user=member, skills=[])
    assert not member.skills.exists()
    # The topics stay for everyone else; only the person's claim is removed.
    assert Topic.objects.filter(name="postgresql").exists()
    with pytest.raises(Invalid):
        do_update_profile(member, acting_user=member, skills=[f"s{i}" for i in range(11)])


def test_privacy_choices(member: User) -> None:
    do_update_profile(member, acting_user=member, opt_out_harvest=True, opt_out_analytics=1,
                      open_to_mentoring="yes")
    stored = User.objects.get(pk=member.pk)
    assert stored.opt_out_harvest is True
    assert stored.opt_out_analytics is True
    assert stored.open_to_mentoring is True
    do_update_profile(member, acting_user=member, opt_out_harvest=False)
    assert User.objects.get(pk=member.pk).opt_out_harvest is False


def test_an_unchanged_profile_writes_no_audit_entry(member: User) -> None:
    do_update_profile(member, acting_user=member, display_name="Mira Member")
    assert not AuditEntry.objects.filter(action="update_profile").exists()


# --- commands -----------------------------------------------------------------------------


def test_createadmin_uses_the_password_from_the_environment(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAGGLE_ADMIN_PASSWORD", "correct-horse-battery-9")
    out = StringIO()
    call_command("createadmin", "root", "--email", "root@example.org", stdout=out)
    assert "Administrator root created." in out.getvalue()
    root = User.objects.get(username="root")
    assert root.is_staff and root.is_superuser and root.email == "root@example.org"
    assert authenticate(username="root", password="correct-horse-battery-9") == root


def test_createadmin_explains_what_is_wrong(
    member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WAGGLE_ADMIN_PASSWORD", "correct-horse-battery-9")
    with pytest.raises(CommandError, match="taken"):
        call_command("createadmin", "MIRA")
    monkeypatch.setenv("WAGGLE_ADMIN_PASSWORD", "123")
    with pytest.raises(CommandError, match="too short"):
        call_command("createadmin", "root")
    assert not User.objects.filter(is_staff=True).exists()


def test_the_waggle_command_explains_itself() -> None:
    waggle = VENV_BIN / "waggle"
    assert waggle.exists(), f"{waggle} is missing: `pip install -e .` installs it"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "waggle.config.settings"}
    done = subprocess.run([str(waggle), "--help"], capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    for command in ("serve", "demo", "createadmin"):
        assert f"  {command} " in done.stdout
    done = subprocess.run([str(waggle), "createadmin", "--help"], capture_output=True,
                          text=True, env=env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "WAGGLE_ADMIN_PASSWORD" in done.stdout
