"""Expertise and routing: who knows about something, what a person knows, the invitations
Waggle sends to answer questions, and a space's unanswered queue."""

from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from waggle.api.auth import viewer
from waggle.api.pagination import KeysetPagination
from waggle.api.schemas import (
    EscalationOut,
    KnownTopicOut,
    MyInvitationOut,
    QuestionInvitationsOut,
    SuggestionOut,
    UnansweredQuestionOut,
)
from waggle.core.errors import Invalid, NotAllowed
from waggle.core.markdown import normalize_topic
from waggle.exchange.access import access_post, asker_id
from waggle.exchange.models import Post
from waggle.expertise.access import access_question_invitation, invitation_view
from waggle.expertise.actions import do_decline_invitation, do_escalate_question
from waggle.expertise.models import QuestionInvitation
from waggle.expertise.queue import open_invitations, unanswered_queue
from waggle.expertise.who_knows import Suggestion, known_topics, who_knows
from waggle.people.access import access_person
from waggle.spaces.access import access_space
from waggle.topics.access import visible_topics

router = Router()

State = QuestionInvitation.State


class WhoKnowsFilters(Schema):
    q: str = Field("", max_length=300, description="What you want to know, in your words.")
    topic: list[str] = Field(
        default_factory=list, max_length=5,
        description="Topic names (repeat for several); with `q`, narrows what is asked about.",
    )
    limit: int = Field(10, ge=1, le=20)


@router.get("/people/who-knows", response=list[SuggestionOut],
            summary="Who knows about something: people ranked by their evidence")
def list_who_knows(request: HttpRequest, filters: Query[WhoKnowsFilters]) -> list[Suggestion]:
    """The people you may see who know most about `q` and/or `topic`, best first, each with
    the strongest evidence of it among the posts you may see (accepted answers, then what
    helped most). Ranked by evidence of help, never by votes or activity counts."""
    user = viewer(request)
    text = filters.q.strip()
    names = {normalize_topic(t) for t in filters.topic} - {""}
    if not text and not names:
        raise Invalid("Say what you are looking for: some words in `q`, or a `topic`.",
                      field="q")
    topics = list(visible_topics(user).filter(name__in=names)) if names else []
    if names and not topics:
        # A topic nobody may show you (or none at all): nobody is known for it here.
        return []
    return who_knows(user, text, topics=topics, limit=filters.limit)


@router.get("/people/{username}/expertise", response=list[KnownTopicOut],
            summary="What a person knows about")
def person_expertise(request: HttpRequest, username: str) -> Any:
    """The topics the person knows most about (at most 8), from the evidence you may see:
    their help in a space hidden from you counts for nothing here."""
    user = viewer(request)
    return known_topics(user, access_person(user, username))


# Invitations to answer a question ------------------------------------------------------------


def _invitations_of(question: Post, *, with_people: bool) -> dict[str, Any]:
    invitations = QuestionInvitation.objects.filter(question=question)
    counts = invitations.aggregate(
        invited=Count("id"),
        seen=Count("id", filter=Q(state=State.SEEN)),
        declined=Count("id", filter=Q(state=State.DECLINED)),
        answered=Count("id", filter=Q(state=State.ANSWERED)),
        rounds=Max("round"),
    )
    counts["rounds"] = counts["rounds"] or 0
    people = None
    if with_people:
        people = list(invitations.select_related("person").order_by("round", "invited_at", "id"))
    return {"question_id": question.pk, "counts": counts, "people": people}


def _question_for_invitations(user: Any, post_id: int) -> tuple[Post, bool]:
    """The question, and whether `user` may see who was invited (the asker). Hosts see counts
    only; anybody else who can see the question is refused, and one who cannot gets 404."""
    question = access_post(user, post_id, kind=Post.Kind.QUESTION)
    counts, names = invitation_view(user, question)
    if not counts:
        raise NotAllowed("Only the asker and the hosts of the space see whom Waggle invited.")
    return question, names


@router.get("/posts/{post_id}/invitations", response=QuestionInvitationsOut,
            summary="Whom Waggle invited to answer a question (the asker; hosts see counts)")
def question_invitations(request: HttpRequest, post_id: int) -> Any:
    user = viewer(request)
    question, with_people = _question_for_invitations(user, post_id)
    return _invitations_of(question, with_people=with_people)


@router.post("/posts/{post_id}/invitations/escalate", response=EscalationOut,
             summary="Offer an unanswered question to more people (hosts)")
def escalate(request: HttpRequest, post_id: int) -> Any:
    """A host of the space asks Waggle to invite the next people likeliest to know (Waggle
    does this by itself when a question stays unanswered). Hosts see counts only."""
    user = viewer(request)
    question = access_post(user, post_id, kind=Post.Kind.QUESTION)
    created = do_escalate_question(question, acting_user=user)
    # Whoever escalates is a host; only an asker who is also a host sees the names.
    result = _invitations_of(question, with_people=asker_id(question) == user.pk)
    result["newly_invited"] = len(created)
    result["round"] = created[0].round if created else None
    return result


@router.get("/me/invitations", response=list[MyInvitationOut],
            summary="Your open invitations to answer questions, newest first")
@paginate(KeysetPagination, ordering=("-invited_at", "-id"))
def my_invitations(request: HttpRequest) -> QuerySet[QuestionInvitation]:
    return open_invitations(viewer(request))


@router.post("/me/invitations/{invitation_id}/decline", response=MyInvitationOut,
             summary="Decline an invitation to answer")
def decline_invitation(request: HttpRequest, invitation_id: int) -> Any:
    """Say you cannot help with this one: the question stays open for others, and the asker
    sees that you declined (nobody else does)."""
    user = viewer(request)
    invitation = access_question_invitation(user, invitation_id)
    return do_decline_invitation(invitation, acting_user=user)


# The unanswered queue ------------------------------------------------------------------------


@router.get("/spaces/{slug}/unanswered", response=list[UnansweredQuestionOut],
            summary="A space's unanswered questions, oldest first")
@paginate(KeysetPagination, ordering=("created_at", "id"))
def unanswered(request: HttpRequest, slug: str) -> QuerySet[Post]:
    """The questions nobody answered yet, with how many people were invited, opened it and
    declined (never who)."""
    user = viewer(request)
    return unanswered_queue(user, access_space(user, slug)).prefetch_related("topics")
