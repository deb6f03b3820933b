"""Topics: the #tags that connect posts; their posts are at `/api/posts?topic=NAME`."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from waggle.api.auth import viewer
from waggle.api.pagination import KeysetPagination
from waggle.api.schemas import TopicDetail, TopicOut
from waggle.core.markdown import normalize_topic
from waggle.exchange.models import Follow
from waggle.topics.access import access_topic, visible_topics
from waggle.topics.models import Topic

router = Router()


class TopicFilters(Schema):
    q: str | None = Field(None, max_length=60, description="Part of the topic name.")


@router.get("/topics", response=list[TopicOut], summary="List topics")
@paginate(KeysetPagination, ordering=("name", "id"))
def list_topics(request: HttpRequest, filters: Query[TopicFilters]) -> QuerySet[Topic]:
    topics = visible_topics(viewer(request))
    if filters.q and normalize_topic(filters.q):
        topics = topics.filter(name__contains=normalize_topic(filters.q))
    return topics


@router.get("/topics/{name}", response=TopicDetail, summary="A topic")
def get_topic(request: HttpRequest, name: str) -> TopicDetail:
    user = viewer(request)
    topic = access_topic(user, name)
    following = Follow.objects.filter(follower_id=user.pk, topic=topic).exists()
    return TopicDetail(**TopicOut.model_validate(topic).model_dump(), following=following)
