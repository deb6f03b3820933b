"""Writes for personal access tokens: create (the secret is shown once) and revoke."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from waggle.api.models import AccessToken
from waggle.core import audit
from waggle.core.errors import Invalid, NotAllowed, NotFound

TOKEN_PREFIX = "wgl"
MAX_TOKENS_PER_PERSON = 20


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def do_create_access_token(*, acting_user: Any, name: str) -> tuple[AccessToken, str]:
    """Create a token for the acting user; returns the row and the full token string, which is
    never stored and cannot be shown again."""
    if acting_user is None or not acting_user.is_authenticated:
        raise NotAllowed("Sign in first.")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise Invalid("Give the token a name of 1 to 100 characters.", field="name")
    with transaction.atomic():
        active = AccessToken.objects.filter(user=acting_user, revoked_at__isnull=True).count()
        if active >= MAX_TOKENS_PER_PERSON:
            raise Invalid(f"At most {MAX_TOKENS_PER_PERSON} active tokens; revoke one first.")
        prefix = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        token = AccessToken.objects.create(
            user=acting_user, name=name, prefix=prefix, key_hash=_hash(secret)
        )
        audit.record(acting_user, "create_access_token", token)
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def do_revoke_access_token(token: AccessToken, *, acting_user: Any) -> None:
    if token.user_id != getattr(acting_user, "pk", None):
        raise NotFound("No such token.")
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(acting_user, "revoke_access_token", token)


def user_for_token(raw: str) -> Any | None:
    """The active person a token string belongs to, or None. Marks the token as used."""
    parts = (raw or "").strip().split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    token = (
        AccessToken.objects.select_related("user")
        .filter(prefix=parts[1], revoked_at__isnull=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.key_hash, _hash(parts[2])):
        return None
    if not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
