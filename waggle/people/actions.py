"""Writes for people: accounts, profiles, skills, privacy choices, departments and teams."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify

from waggle.core import audit
from waggle.core.errors import Invalid, NotAllowed
from waggle.people.models import Department, Team, User
from waggle.topics.actions import ensure_topics

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,149}$")
# Usernames that are addresses of Waggle itself (`/api/people/who-knows`): nobody may have one.
RESERVED_USERNAMES = frozenset({"who-knows"})
PROFILE_FIELDS = {
    "display_name": 150, "title": 150, "location": 150, "bio": 5000,
}
PRIVACY_FIELDS = {"open_to_mentoring", "opt_out_harvest", "opt_out_analytics", "share_impact",
                  "accept_routed_questions"}
MAX_ROUTED_PER_WEEK = 50


def do_create_department(name: str, *, acting_user: Any = None) -> Department:
    name = name.strip()
    if not name:
        raise Invalid("A department needs a name.", field="name")
    with transaction.atomic():
        dept, created = Department.objects.get_or_create(
            slug=slugify(name)[:120], defaults={"name": name[:120]}
        )
        if created:
            audit.record(acting_user, "create_department", dept, name=name)
    return dept


def do_create_team(name: str, department: Department, *, acting_user: Any = None) -> Team:
    name = name.strip()
    if not name:
        raise Invalid("A team needs a name.", field="name")
    with transaction.atomic():
        team, created = Team.objects.get_or_create(
            department=department, slug=slugify(name)[:120], defaults={"name": name[:120]}
        )
        if created:
            audit.record(acting_user, "create_team", team, name=name)
    return team


def do_create_person(
    username: str,
    *,
    password: str | None = None,
    email: str = "",
    display_name: str = "",
    title: str = "",
    department: Department | None = None,
    team: Team | None = None,
    is_guest: bool = False,
    is_staff: bool = False,
    acting_user: Any = None,
    check_password: bool = True,
) -> User:
    """Create an account. Administrators (is_staff) run Waggle; guests see external spaces."""
    username = username.strip()
    if not USERNAME_RE.match(username):
        raise Invalid(
            "A username is 1-150 letters, digits, '.', '-' or '_', starting with a letter or "
            "digit.", field="username",
        )
    if username.lower() in RESERVED_USERNAMES:
        raise Invalid(f"The username {username!r} is reserved: it is the address of a page of "
                      "Waggle. Choose another.", field="username")
    if password and check_password:
        try:
            validate_password(password, User(username=username, email=email))
        except ValidationError as exc:
            raise Invalid(" ".join(exc.messages), field="password") from None
    if team is not None and department is None:
        department = team.department
    with transaction.atomic():
        if User.objects.filter(username__iexact=username).exists():
            raise Invalid(f"The username {username!r} is taken.", field="username")
        user = User(
            username=username, email=email.strip(), display_name=display_name.strip()[:150],
            title=title.strip()[:150], department=department, team=team, is_guest=is_guest,
            is_staff=is_staff, is_superuser=is_staff,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        try:
            user.save()
        except IntegrityError:
            raise Invalid(f"The username {username!r} is taken.", field="username") from None
        audit.record(acting_user, "create_person", user, is_guest=is_guest, is_staff=is_staff)
    return user


def do_update_profile(person: User, *, acting_user: Any, **fields: Any) -> User:
    """Change a person's own profile and privacy choices (only the person may)."""
    if acting_user is None or acting_user.pk != person.pk:
        raise NotAllowed("Only you can change your profile.")
    changed: dict[str, Any] = {}
    for key, value in fields.items():
        if key in PROFILE_FIELDS:
            value = str(value or "").strip()
            if len(value) > PROFILE_FIELDS[key]:
                raise Invalid(f"At most {PROFILE_FIELDS[key]} characters.", field=key)
        elif key in PRIVACY_FIELDS:
            value = bool(value)
        elif key == "routed_questions_per_week":
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise Invalid("A number of questions, please.", field=key) from None
            if not 0 <= value <= MAX_ROUTED_PER_WEEK:
                raise Invalid(f"Between 0 and {MAX_ROUTED_PER_WEEK} a week.", field=key)
        elif key == "department":
            if value is not None and not isinstance(value, Department):
                raise Invalid("Unknown department.", field=key)
        elif key == "team":
            if value is not None and not isinstance(value, Team):
                raise Invalid("Unknown team.", field=key)
        elif key == "skills":
            continue
        else:
            raise Invalid(f"Unknown profile field {key!r}.", field=key)
        if getattr(person, key) != value:
            setattr(person, key, value)
            changed[key] = str(value) if key not in PRIVACY_FIELDS else value
    with transaction.atomic():
        if changed:
            person.save()
        if "skills" in fields:
            topics = ensure_topics(fields["skills"] or [])
            person.skills.set(topics)
            changed["skills"] = [t.name for t in topics]
        if changed:
            audit.record(acting_user, "update_profile", person, fields=sorted(changed))
    return person


def do_set_enabler(person: User, enabled: bool, *, acting_user: Any) -> User:
    """Make `person` an enabler (L&D, knowledge management: sees the organization-wide insights
    in aggregate, never a per-person report), or stop them being one. Administrators decide;
    being one gives no such access by itself. Guests are never enablers."""
    if (acting_user is None or not acting_user.is_authenticated or not acting_user.is_active
            or not acting_user.is_staff):
        raise NotAllowed("Only administrators choose the enablers.")
    enabled = bool(enabled)
    if enabled and person.is_guest:
        raise Invalid("Guests cannot be enablers.", field="is_enabler")
    with transaction.atomic():
        person = User.objects.select_for_update().get(pk=person.pk)
        if person.is_enabler != enabled:
            person.is_enabler = enabled
            person.save(update_fields=["is_enabler"])
            audit.record(acting_user, "set_enabler", person, enabled=enabled)
    return person
