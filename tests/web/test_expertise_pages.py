"""The expertise and growth pages through the client: who knows, "Knows about" on profiles, the
routing settings, routing from the ask form, a question's invitations (banner, decline, who was
invited, a host offering it to more people), questions for you, a space's unanswered queue,
learning goals and mentoring. Private things stay 404 for everyone else."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import client_for, make_person
from tests.web.conftest import text_of
from waggle.exchange.actions import do_accept_answer, do_answer_question, do_ask_question
from waggle.exchange.models import Post
from waggle.expertise.actions import do_route_question
from waggle.expertise.index import rebuild_expertise
from waggle.expertise.models import QuestionInvitation
from waggle.growth.actions import do_request_mentoring, do_set_learning_goal
from waggle.growth.models import LearningGoal, MentoringRequest
from waggle.people.actions import do_update_profile
from waggle.people.models import User
from waggle.spaces.models import Space
from waggle.value.actions import do_give_kudos, do_report_value

Capture = Callable[..., Any]
RUST_TITLE = "Why does the #rust borrow checker reject my loop?"


@pytest.fixture
def rust_answer(space: Space, host: User, other_member: User) -> Post:
    """Otto's accepted answer to Hana's #rust question, which helped her (a value report and
    kudos); Otto is open to mentoring. Expertise is rebuilt from it."""
    question = do_ask_question(space, acting_user=host, title=RUST_TITLE,
                               body="It says the value is borrowed twice.")
    answer = do_answer_question(question, acting_user=other_member,
                                body="Clone the key before the loop, or use entry().")
    do_accept_answer(question, answer, acting_user=host)
    do_report_value(acting_user=host, post=answer, solved_problem=True)
    do_give_kudos(acting_user=host, post=answer, message="Saved my afternoon")
    do_update_profile(other_member, acting_user=other_member, open_to_mentoring=True)
    rebuild_expertise()
    return answer


@pytest.fixture
def private_answer(private_space: Space, host: User, member: User) -> Post:
    """Mira's answer in the private space, on #dealmaking."""
    question = do_ask_question(private_space, acting_user=host,
                               title="Who negotiates the #dealmaking terms?")
    answer = do_answer_question(question, acting_user=member, body="Legal leads, finance joins.")
    rebuild_expertise()
    return answer


@pytest.fixture
def routed(rust_answer: Post, space: Space, member: User, other_member: User,
           django_capture_on_commit_callbacks: Capture) -> Post:
    """Mira's unanswered #rust question; Waggle invited Otto to answer it (and told him)."""
    question = do_ask_question(space, acting_user=member, title="How do #rust lifetimes work?")
    with django_capture_on_commit_callbacks(execute=True):
        invitations = do_route_question(question)
    assert [i.person_id for i in invitations] == [other_member.pk]
    return question


def section(html: str, marker: str) -> str:
    """The part of a page from the element carrying `marker` to the end of its section."""
    return html.split(marker, 1)[1].split("</section>", 1)[0]


# Who knows -------------------------------------------------------------------------------------


def test_who_knows_ranks_people_by_the_evidence_of_their_help(
    rust_answer: Post, member_client: Client
) -> None:
    html = text_of(member_client.get("/who-knows/?q=who knows about rust"))
    assert "Otto Other" in html
    assert "Open to mentoring" in html and "#rust" in html
    link = f'href="/posts/{rust_answer.question_id}/#post-{rust_answer.pk}"'
    assert link in html and RUST_TITLE.replace("#", "") in html.replace("#", "")
    assert "Accepted answer" in html and "helped 1 person" in html and "1 kudos" in html
    # No volume rankings: no like or post counts anywhere.
    assert "likes" not in html.lower() and " posts" not in html.lower()


def test_who_knows_without_a_query_shows_the_form_and_with_no_match_says_so(
    rust_answer: Post, member_client: Client
) -> None:
    empty = member_client.get("/who-knows/")
    assert empty.status_code == 200
    assert 'name="q"' in text_of(empty) and "Otto Other" not in text_of(empty)
    none = text_of(member_client.get("/who-knows/?q=zebrafish"))
    assert "Nobody's help that you can see matches “zebrafish”" in none
    nav = member_client.get("/people/").content.decode()
    assert 'href="/who-knows/"' in nav


def test_private_evidence_never_shows_to_an_outsider(
    private_answer: Post, member: User, member_client: Client, outsider_client: Client
) -> None:
    # Mira's colleagues in the private space see it; an outsider sees nothing of it.
    assert "Mira Member" in text_of(member_client.get("/who-knows/?q=dealmaking"))
    own = text_of(member_client.get("/people/mira/"))
    assert "#dealmaking" in own and f"#post-{private_answer.pk}" in own
    found = text_of(outsider_client.get("/who-knows/?q=dealmaking"))
    assert "Mira Member" not in found and "negotiates" not in found
    profile = text_of(outsider_client.get("/people/mira/"))
    assert "dealmaking" not in profile and "negotiates" not in profile
    assert f"/posts/{private_answer.question_id}/" not in profile


# Profile and settings ------------------------------------------------------------------------


def test_a_profile_shows_what_their_help_shows_they_know(
    rust_answer: Post, member_client: Client
) -> None:
    html = text_of(member_client.get("/people/otto/"))
    knows = section(html, 'id="knows-title"')
    assert "#rust" in knows and f"#post-{rust_answer.pk}" in knows
    assert "Accepted answer" in knows
    assert "Otto Other is open to mentoring" in knows and 'href="/me/goals/"' in knows


def test_routing_settings_save_and_a_bad_cap_is_an_error_not_a_crash(
    member: User, member_client: Client
) -> None:
    form = text_of(member_client.get("/me/"))
    assert "Route questions to me" in form and "Open to mentoring" in form
    assert 'name="routed_questions_per_week"' in form
    saved = member_client.post("/me/", {"display_name": "Mira Member", "open_to_mentoring": "on",
                                         "routed_questions_per_week": "7"})
    assert saved.status_code == 302
    member.refresh_from_db()
    assert member.open_to_mentoring and not member.accept_routed_questions
    assert member.routed_questions_per_week == 7
    for bad, message in (("99", "Between 0 and 50 a week."), ("-1", "Between 0 and 50 a week."),
                         ("lots", "Enter a whole number.")):
        response = member_client.post("/me/", {"accept_routed_questions": "on",
                                               "routed_questions_per_week": bad})
        assert response.status_code == 400, bad
        assert message in text_of(response)
    member.refresh_from_db()
    assert member.routed_questions_per_week == 7 and not member.accept_routed_questions


# Asking with routing -------------------------------------------------------------------------


@pytest.mark.parametrize("route", [True, False])
def test_the_ask_form_invites_people_who_may_know_when_checked(
    route: bool, rust_answer: Post, space: Space, member_client: Client,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    form = text_of(member_client.get(f"/spaces/{space.slug}/ask/"))
    assert "Invite people who may know to answer" in form
    assert 'id="id_route" checked' in form  # on by default
    data = {"title": "What is a #rust lifetime?", "body": "", "topics": ""}
    if route:
        data["route"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(f"/spaces/{space.slug}/ask/", data)
    assert response.status_code == 302
    question = Post.objects.get(title="What is a #rust lifetime?")
    invited = list(QuestionInvitation.objects.filter(question=question)
                   .values_list("person__username", flat=True))
    assert invited == (["otto"] if route else [])


def test_asking_anywhere_routes_too(
    rust_answer: Post, space: Space, member_client: Client,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    assert "Invite people who may know" in text_of(member_client.get("/ask/"))
    with django_capture_on_commit_callbacks(execute=True):
        member_client.post("/ask/", {"space": space.slug, "title": "Any #rust mentors here?",
                                     "route": "on"})
    question = Post.objects.get(title="Any #rust mentors here?")
    assert QuestionInvitation.objects.filter(question=question).count() == 1


# The question page -----------------------------------------------------------------------------


def test_an_invited_person_sees_the_banner_the_page_marks_it_seen_and_they_can_decline(
    routed: Post, other_member: User, other_client: Client
) -> None:
    page = text_of(other_client.get(f"/posts/{routed.pk}/"))
    assert "Waggle asked you whether you can help with this question" in page
    invitation = QuestionInvitation.objects.get(question=routed, person=other_member)
    assert invitation.state == "seen"
    declined = other_client.post(f"/me/questions/{invitation.pk}/decline/",
                                 {"next": f"/posts/{routed.pk}/"})
    assert declined.status_code == 302 and declined["Location"] == f"/posts/{routed.pk}/"
    invitation.refresh_from_db()
    assert invitation.state == "declined"
    after = text_of(other_client.get(f"/posts/{routed.pk}/"))
    assert "Waggle asked you" not in after


def test_someone_elses_invitation_cannot_be_declined(
    routed: Post, member_client: Client
) -> None:
    invitation = QuestionInvitation.objects.get(question=routed)
    assert member_client.post(f"/me/questions/{invitation.pk}/decline/").status_code == 404
    assert QuestionInvitation.objects.get(pk=invitation.pk).state == "invited"


def test_the_asker_sees_who_was_invited_and_hosts_see_counts(
    routed: Post, member_client: Client, other_client: Client, host_client: Client
) -> None:
    other_client.get(f"/posts/{routed.pk}/")  # Otto opens it
    asker = section(text_of(member_client.get(f"/posts/{routed.pk}/")), 'id="invited-title"')
    assert "Otto Other" in asker and "Seen" in asker
    assert "Offer to more people" not in asker  # the asker is no host
    host = section(text_of(host_client.get(f"/posts/{routed.pk}/")), 'id="invited-title"')
    assert "1 person invited: 1 saw it, 0 declined, 0 answered." in host
    assert "Otto Other" not in host
    assert "Offer to more people" in host
    # The invited person and other readers see no list.
    assert 'id="invited-title"' not in text_of(other_client.get(f"/posts/{routed.pk}/"))


def test_a_host_offers_an_unanswered_question_to_more_people(
    rust_answer: Post, space: Space, member: User, member_client: Client, host_client: Client
) -> None:
    question = do_ask_question(space, acting_user=member, title="Is #rust async ready?")
    assert QuestionInvitation.objects.filter(question=question).count() == 0
    # Only hosts may, and only hosts see the button.
    assert "Offer to more people" not in text_of(member_client.get(f"/posts/{question.pk}/"))
    assert member_client.post(f"/posts/{question.pk}/offer/").status_code == 403
    page = text_of(host_client.get(f"/posts/{question.pk}/"))
    assert "Nobody was invited to answer this question yet." in page
    response = host_client.post(f"/posts/{question.pk}/offer/", {"next": f"/posts/{question.pk}/"},
                                follow=True)
    assert response.status_code == 200
    assert "Waggle asked 1 more person who may know." in response.content.decode()
    assert list(QuestionInvitation.objects.filter(question=question)
                .values_list("person__username", flat=True)) == ["otto"]
    # Once answered, there is nothing to offer.
    do_answer_question(question, acting_user=member, body="Yes, with tokio.")
    assert "Offer to more people" not in text_of(host_client.get(f"/posts/{question.pk}/"))
    refused = host_client.post(f"/posts/{question.pk}/offer/", follow=True)
    assert "This question has an answer already." in refused.content.decode()


def test_routed_notifications_link_to_the_question(routed: Post, other_client: Client) -> None:
    html = text_of(other_client.get("/notifications/"))
    assert "Waggle asks whether you can help with a question" in html
    assert f'href="/posts/{routed.pk}/"' in html


# Questions for you and the unanswered queue ---------------------------------------------------


def test_questions_for_you_lists_open_invitations_with_a_decline_button(
    routed: Post, other_client: Client, member_client: Client
) -> None:
    html = text_of(other_client.get("/me/questions/"))
    assert "How do #rust lifetimes work?" in html and ">Decline</button>" in html
    invitation = QuestionInvitation.objects.get(question=routed)
    assert other_client.post(f"/me/questions/{invitation.pk}/decline/").status_code == 302
    assert "How do #rust lifetimes work?" not in text_of(other_client.get("/me/questions/"))
    assert "No questions for you right now" in text_of(member_client.get("/me/questions/"))


def test_the_unanswered_queue_of_a_space(
    routed: Post, rust_answer: Post, space: Space, member_client: Client, host_client: Client
) -> None:
    assert f'href="/spaces/{space.slug}/unanswered/"' in text_of(
        member_client.get(f"/spaces/{space.slug}/"))
    html = text_of(member_client.get(f"/spaces/{space.slug}/unanswered/"))
    assert "How do #rust lifetimes work?" in html
    assert "borrow checker" not in html  # answered
    assert "Offer to more people" not in html and "1 invited" not in html
    hosts = text_of(host_client.get(f"/spaces/{space.slug}/unanswered/"))
    assert "1 invited · 0 saw it · 0 declined" in hosts and "Offer to more people" in hosts


def test_a_private_spaces_queue_is_404_for_an_outsider(
    private_space: Space, private_question: Post, member_client: Client,
    outsider_client: Client,
) -> None:
    url = f"/spaces/{private_space.slug}/unanswered/"
    assert "Which firm are we acquiring?" in text_of(member_client.get(url))
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(f"/posts/{private_question.pk}/offer/").status_code == 404


# Learning goals and mentoring ------------------------------------------------------------------


def test_set_a_goal_see_mentors_ask_and_the_mentor_accepts(
    rust_answer: Post, member: User, other_member: User, member_client: Client,
    other_client: Client, django_capture_on_commit_callbacks: Capture,
) -> None:
    assert "Your learning goals" in text_of(member_client.get("/me/goals/"))
    set_goal = member_client.post("/me/goals/", {"topic": "Rust",
                                                 "sentence": "Understand lifetimes"})
    goal = LearningGoal.objects.get(person=member)
    assert set_goal.status_code == 302 and set_goal["Location"] == f"/me/goals/{goal.pk}/"
    listing = text_of(member_client.get("/me/goals/"))
    assert "Understand lifetimes" in listing and "Colleagues who could mentor you" in listing
    page = text_of(member_client.get(f"/me/goals/{goal.pk}/"))
    assert "Otto Other" in page and f"#post-{rust_answer.pk}" in page
    assert "Ask for mentoring" in page
    with django_capture_on_commit_callbacks(execute=True):  # the mentor is told
        asked = member_client.post(f"/me/goals/{goal.pk}/mentoring/",
                                   {"mentor": "otto", "message": "Could we pair for an hour?"})
    assert asked.status_code == 302
    request = MentoringRequest.objects.get(goal=goal)
    assert request.mentor == other_member and request.state == "requested"
    assert "they have not answered yet" in text_of(member_client.get(f"/me/goals/{goal.pk}/"))

    mentor_view = text_of(other_client.get("/me/mentoring/"))
    assert "Mira Member" in mentor_view and "Understand lifetimes" in mentor_view
    assert "Could we pair for an hour?" in mentor_view
    notifications = text_of(other_client.get("/notifications/"))
    assert "asked you to mentor them" in notifications and 'href="/me/mentoring/"' in notifications
    # Only the mentor answers it.
    assert member_client.post(f"/me/mentoring/{request.pk}/accept/").status_code == 403
    accepted = other_client.post(f"/me/mentoring/{request.pk}/accept/")
    assert accepted.status_code == 302
    request.refresh_from_db()
    assert request.state == "accepted"
    sent = section(text_of(member_client.get("/me/mentoring/")), 'id="sent-title"')
    assert "Otto Other" in sent and "Accepted" in sent
    # Answering twice is a message, not an error page.
    again = other_client.post(f"/me/mentoring/{request.pk}/decline/", follow=True)
    assert again.status_code == 200 and "This request was accepted already." in text_of(again)


def test_decline_and_withdraw(
    rust_answer: Post, member: User, other_member: User, member_client: Client,
    other_client: Client,
) -> None:
    goal = do_set_learning_goal(acting_user=member, topic="rust", sentence="Write a Rust CLI")
    first = do_request_mentoring(goal, other_member, acting_user=member)
    other_client.post(f"/me/mentoring/{first.pk}/decline/")
    first.refresh_from_db()
    assert first.state == "declined"
    second = do_request_mentoring(goal, other_member, acting_user=member)
    assert member_client.post(f"/me/mentoring/{second.pk}/withdraw/").status_code == 302
    second.refresh_from_db()
    assert second.state == "withdrawn"
    html = text_of(member_client.get("/me/mentoring/"))
    assert "Declined" in html and "Withdrawn" in html


def test_goal_and_mentoring_problems_are_shown_not_crashes(
    rust_answer: Post, member: User, member_client: Client
) -> None:
    empty = member_client.post("/me/goals/", {"topic": "", "sentence": "Learn things"})
    assert empty.status_code == 400
    assert "Name the topic you want to learn about." in text_of(empty)
    goal = do_set_learning_goal(acting_user=member, topic="rust", sentence="Understand traits")
    closed = member_client.post(f"/me/goals/{goal.pk}/mentoring/", {"mentor": "hana"})
    assert closed.status_code == 400 and "Hana Host is not open to mentoring." in text_of(closed)
    long = member_client.post(f"/me/goals/{goal.pk}/mentoring/",
                              {"mentor": "otto", "message": "x" * 2001})
    assert long.status_code == 400 and "at most 2000 characters" in text_of(long)
    nobody = member_client.post(f"/me/goals/{goal.pk}/mentoring/", {"mentor": "nobody"})
    assert nobody.status_code == 400 and "Nobody here has that username." in text_of(nobody)
    assert not MentoringRequest.objects.exists()


def test_mark_a_goal_reached(member: User, member_client: Client) -> None:
    goal = do_set_learning_goal(acting_user=member, topic="sql", sentence="Write window queries")
    assert member_client.post(f"/me/goals/{goal.pk}/reached/").status_code == 302
    goal.refresh_from_db()
    assert goal.reached_at is not None
    html = text_of(member_client.get("/me/goals/"))
    assert "Reached" in html and "Mark as reached" not in html


def test_goals_and_requests_are_404_for_everyone_else(
    rust_answer: Post, member: User, other_member: User, outsider: User,
    outsider_client: Client, other_client: Client,
) -> None:
    goal = do_set_learning_goal(acting_user=member, topic="rust", sentence="Understand lifetimes")
    request = do_request_mentoring(goal, other_member, acting_user=member)
    for client in (outsider_client, other_client):  # even the mentor: the goal is Mira's
        assert client.get(f"/me/goals/{goal.pk}/").status_code == 404
        assert client.post(f"/me/goals/{goal.pk}/reached/").status_code == 404
        assert client.post(f"/me/goals/{goal.pk}/mentoring/",
                           {"mentor": "otto"}).status_code == 404
    assert "Understand lifetimes" not in text_of(outsider_client.get("/me/goals/"))
    for answer in ("accept", "decline", "withdraw"):
        assert outsider_client.post(f"/me/mentoring/{request.pk}/{answer}/").status_code == 404
    assert "Understand lifetimes" not in text_of(outsider_client.get("/me/mentoring/"))
    request.refresh_from_db()
    goal.refresh_from_db()
    assert request.state == "requested" and goal.reached_at is None


def test_a_mentor_is_told_the_answer_in_notifications(
    rust_answer: Post, member: User, other_member: User, member_client: Client,
    other_client: Client, django_capture_on_commit_callbacks: Capture,
) -> None:
    goal = do_set_learning_goal(acting_user=member, topic="rust", sentence="Understand lifetimes")
    request = do_request_mentoring(goal, other_member, acting_user=member)
    with django_capture_on_commit_callbacks(execute=True):
        other_client.post(f"/me/mentoring/{request.pk}/accept/")
    html = text_of(member_client.get("/notifications/"))
    assert "Otto Other</a> accepted your mentoring request" in html
    assert 'href="/me/mentoring/"' in html


def test_new_pages_need_sign_in(db: Any) -> None:
    anonymous = Client()
    for url in ("/who-knows/", "/me/questions/", "/me/goals/", "/me/mentoring/"):
        response = anonymous.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url


def test_the_main_nav_links_who_knows(member_client: Client) -> None:
    html = member_client.get("/").content.decode()
    assert 'href="/who-knows/"' in html


def test_a_second_person_can_be_suggested_once_they_are_open(
    rust_answer: Post, space: Space, member: User, member_client: Client
) -> None:
    rita = make_person("rita", display_name="Rita Rustacean")
    question = do_ask_question(space, acting_user=member, title="#rust traits or generics?")
    do_answer_question(question, acting_user=rita, body="Traits, mostly.")
    rebuild_expertise()
    goal = do_set_learning_goal(acting_user=member, topic="rust", sentence="Learn Rust traits")
    assert "Rita Rustacean" not in text_of(member_client.get(f"/me/goals/{goal.pk}/"))
    do_update_profile(rita, acting_user=rita, open_to_mentoring=True)
    assert "Rita Rustacean" in text_of(client_for(member).get(f"/me/goals/{goal.pk}/"))


# Query counts ----------------------------------------------------------------------------------


def test_the_lists_run_the_same_queries_for_3_items_as_for_10(
    rust_answer: Post, space: Space, member: User, other_member: User, host: User,
) -> None:
    """Questions for you, the unanswered queue (as a host) and mentoring: no query per item."""
    do_update_profile(other_member, acting_user=other_member, routed_questions_per_week=50)
    otto, hana = client_for(other_member), client_for(host)
    made = 0

    def add(count: int) -> None:
        nonlocal made
        for _ in range(count):
            made += 1
            question = do_ask_question(space, acting_user=member, title=f"#rust question {made}")
            do_route_question(question)
            mentee = make_person(f"mentee{made}", display_name=f"Mentee {made}")
            goal = do_set_learning_goal(acting_user=mentee, topic="rust",
                                        sentence=f"Learn rust, step {made}")
            do_request_mentoring(goal, other_member, acting_user=mentee, message="Please?")

    def queries(client: Client, url: str) -> int:
        client.get(url)  # the session is read and refreshed once
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    pages = [(otto, "/me/questions/"), (hana, f"/spaces/{space.slug}/unanswered/"),
             (otto, "/me/mentoring/")]
    add(3)
    few = [queries(client, url) for client, url in pages]
    add(7)
    assert "#rust question 10" in text_of(otto.get("/me/questions/"))
    assert "Learn rust, step 10" in text_of(otto.get("/me/mentoring/"))
    assert [queries(client, url) for client, url in pages] == few
