"""Value reports ("this helped me") on posts and comments, and kudos."""

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from waggle.api.auth import viewer
from waggle.api.pagination import KeysetPagination
from waggle.api.schemas import KudosIn, KudosOut, ValueIn, ValueReportOut, ValueSummary
from waggle.core.errors import NotFound
from waggle.exchange.access import access_comment, access_post
from waggle.exchange.models import Comment, Post
from waggle.people.access import access_person
from waggle.value.access import visible_kudos, visible_value_reports
from waggle.value.actions import KINDS, do_give_kudos, do_report_value, do_withdraw_value_report
from waggle.value.models import Kudos, ValueReport

router = Router()


def _item(post: Post | None = None, comment: Comment | None = None) -> dict[str, Any]:
    return {"post": post} if post is not None else {"comment": comment}


def _summary(user: Any, item: dict[str, Any]) -> dict[str, Any]:
    """Counts by kind and minutes saved, in one query; plus the viewer's own report."""
    reports = visible_value_reports(user).filter(**item)
    totals = reports.aggregate(
        reports=Count("id"),
        minutes_saved=Sum("minutes_saved"),
        **{kind: Count("id", filter=Q(**{kind: True})) for kind in KINDS},
    )
    totals["minutes_saved"] = totals["minutes_saved"] or 0
    totals["mine"] = reports.filter(reporter_id=user.pk).first()
    return totals


def _report(user: Any, payload: ValueIn, item: dict[str, Any]) -> ValueReport:
    return do_report_value(acting_user=user, **item, **payload.dict())


def _withdraw(user: Any, item: dict[str, Any]) -> Status:
    mine = visible_value_reports(user).filter(reporter_id=user.pk, **item).first()
    if mine is None:
        raise NotFound("You have not reported value on this.")
    do_withdraw_value_report(mine, acting_user=user)
    return Status(204, None)


@router.get("/posts/{post_id}/value", response=ValueSummary, summary="Value reported on a post")
def post_value(request: HttpRequest, post_id: int) -> Any:
    user = viewer(request)
    return _summary(user, _item(post=access_post(user, post_id)))


@router.put("/posts/{post_id}/value", response=ValueReportOut, summary="Say a post helped you")
def report_post_value(request: HttpRequest, post_id: int, payload: ValueIn) -> Any:
    """Reporting again replaces your earlier report on the same post."""
    user = viewer(request)
    return _report(user, payload, _item(post=access_post(user, post_id)))


@router.delete("/posts/{post_id}/value", response={204: None}, summary="Withdraw your report")
def withdraw_post_value(request: HttpRequest, post_id: int) -> Status:
    user = viewer(request)
    return _withdraw(user, _item(post=access_post(user, post_id)))


@router.get(
    "/comments/{comment_id}/value", response=ValueSummary, summary="Value reported on a comment"
)
def comment_value(request: HttpRequest, comment_id: int) -> Any:
    user = viewer(request)
    return _summary(user, _item(comment=access_comment(user, comment_id)))


@router.put(
    "/comments/{comment_id}/value", response=ValueReportOut, summary="Say a comment helped you"
)
def report_comment_value(request: HttpRequest, comment_id: int, payload: ValueIn) -> Any:
    user = viewer(request)
    return _report(user, payload, _item(comment=access_comment(user, comment_id)))


@router.delete("/comments/{comment_id}/value", response={204: None}, summary="Withdraw your report")
def withdraw_comment_value(request: HttpRequest, comment_id: int) -> Status:
    user = viewer(request)
    return _withdraw(user, _item(comment=access_comment(user, comment_id)))


@router.post("/kudos", response={201: KudosOut}, summary="Give kudos for a post or comment")
def give_kudos(request: HttpRequest, payload: KudosIn) -> Status:
    user = viewer(request)
    post = access_post(user, payload.post_id) if payload.post_id is not None else None
    comment = access_comment(user, payload.comment_id) if payload.comment_id is not None else None
    kudos = do_give_kudos(acting_user=user, message=payload.message, post=post, comment=comment)
    return Status(201, Kudos.objects.select_related("giver", "receiver").get(pk=kudos.pk))


@router.get("/people/{username}/kudos", response=list[KudosOut], summary="Kudos a person received")
@paginate(KeysetPagination, ordering=("-created_at", "-id"))
def list_kudos(request: HttpRequest, username: str) -> QuerySet[Kudos]:
    user = viewer(request)
    person = access_person(user, username)
    if person.pk != user.pk and not person.share_impact:
        # A person's kudos are part of their impact: theirs to see unless they share it.
        return Kudos.objects.none()
    return visible_kudos(user).filter(receiver=person).select_related("giver", "receiver")
