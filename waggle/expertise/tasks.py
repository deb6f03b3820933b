"""Background tasks of expertise: keeping it in step, routing questions, escalating them."""

from __future__ import annotations

from django_tasks import task

from waggle.expertise.index import update_expertise


@task()
def update_expertise_task(people: list[int]) -> int:
    """Recompute these people's expertise (scheduled on commit by the writes that create
    evidence); returns the rows written."""
    return update_expertise(people)


@task()
def route_question_task(question_id: int) -> int:
    """Invite the likeliest helpers to answer a new question; returns how many."""
    from waggle.exchange.models import Post
    from waggle.expertise.actions import do_route_question

    question = Post.objects.select_related("space").filter(pk=question_id).first()
    if question is None:  # deleted before the worker got to it
        return 0
    return len(do_route_question(question))


@task()
def escalate_due_task() -> int:
    """Offer the questions still unanswered to the next candidates; returns how many people
    were invited."""
    from waggle.expertise.actions import do_escalate_due

    return do_escalate_due()
