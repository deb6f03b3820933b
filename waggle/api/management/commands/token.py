"""`waggle token create|list|revoke`: manage personal access tokens from the server."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from waggle.api.actions import TOKEN_PREFIX, do_create_access_token, do_revoke_access_token
from waggle.api.models import AccessToken
from waggle.core.errors import WaggleError
from waggle.people.models import User


def _person(username: str) -> User:
    try:
        return User.objects.get(username=username)
    except User.DoesNotExist:
        raise CommandError(f"No person with the username {username!r}.") from None


class Command(BaseCommand):
    help = (
        "Personal access tokens for the REST API: `create USERNAME NAME` prints a new token "
        "(shown once), `list USERNAME` shows a person's tokens, `revoke PREFIX` revokes one."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True, metavar="create|list|revoke")
        create = verbs.add_parser("create", help="Create a token for a person and print it.")
        create.add_argument("username")
        create.add_argument("name", help="What the token is for, e.g. 'laptop script'.")
        listing = verbs.add_parser("list", help="List a person's tokens.")
        listing.add_argument("username")
        revoke = verbs.add_parser("revoke", help="Revoke a token by its prefix.")
        revoke.add_argument("prefix", help="The prefix shown by `list` (or the whole token).")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, f"_{opts['verb']}")(opts)
        except WaggleError as exc:
            raise CommandError(exc.message) from None

    def _create(self, opts: dict[str, Any]) -> None:
        person = _person(opts["username"])
        token, secret = do_create_access_token(acting_user=person, name=opts["name"])
        self.stderr.write(
            f"Token {token.prefix!r} ({token.name}) for {person.username}; it is shown once:"
        )
        self.stdout.write(secret)

    def _list(self, opts: dict[str, Any]) -> None:
        person = _person(opts["username"])
        tokens = AccessToken.objects.filter(user=person).order_by("-created_at", "-id")
        for token in tokens:
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
            self.stdout.write(f"{token.prefix}  {state:<18}  last used {used:<16}  {token.name}")
        if not tokens:
            self.stderr.write(f"{person.username} has no tokens.")

    def _revoke(self, opts: dict[str, Any]) -> None:
        prefix = opts["prefix"].strip()
        if prefix.startswith(f"{TOKEN_PREFIX}_"):
            prefix = prefix.split("_")[1]
        token = AccessToken.objects.select_related("user").filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No token with the prefix {prefix!r}.")
        # The operator at the server acts for the token's owner (the audit log says so).
        do_revoke_access_token(token, acting_user=token.user)
        self.stdout.write(f"Token {token.prefix} ({token.name}) of {token.user.username} revoked.")
