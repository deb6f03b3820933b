"""Your personal access tokens: list, create (the secret is shown once), revoke."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from waggle.api.actions import do_create_access_token, do_revoke_access_token
from waggle.api.auth import viewer
from waggle.api.models import AccessToken
from waggle.api.pagination import KeysetPagination
from waggle.api.schemas import TokenCreated, TokenIn, TokenOut
from waggle.core.errors import NotFound

router = Router()


@router.get("/tokens", response=list[TokenOut], summary="Your tokens, revoked ones included")
@paginate(KeysetPagination, ordering=("-created_at", "-id"))
def list_tokens(request: HttpRequest) -> QuerySet[AccessToken]:
    return AccessToken.objects.filter(user_id=viewer(request).pk)


@router.post("/tokens", response={201: TokenCreated}, summary="Create a token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status:
    token, secret = do_create_access_token(acting_user=viewer(request), name=payload.name)
    return Status(201, TokenCreated(**TokenOut.model_validate(token).model_dump(), token=secret))


@router.delete("/tokens/{prefix}", response={204: None}, summary="Revoke a token")
def revoke_token(request: HttpRequest, prefix: str) -> Status:
    user = viewer(request)
    token = AccessToken.objects.filter(user_id=user.pk, prefix=prefix).first()
    if token is None:
        raise NotFound("No such token.")
    do_revoke_access_token(token, acting_user=user)
    return Status(204, None)
