"""Who knows and mentoring in a real browser (Chromium through Playwright, against a live
server): a member asks "who knows about rust", sees the colleague whose accepted answer shows it
and follows the evidence to the thread; then sets a learning goal, asks the suggested mentor,
and the mentor, signed in in a second browser, accepts. Screenshots go to
test-artifacts/browser/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.web.test_browser import browser, shot, sign_in  # noqa: F401 - `browser` is a fixture
from tests.web.test_expertise_pages import RUST_TITLE, rust_answer  # noqa: F401 - a fixture
from waggle.exchange.models import Post
from waggle.growth.models import MentoringRequest
from waggle.people.models import User

pytestmark = pytest.mark.browser


def test_who_knows_then_ask_a_suggested_mentor_who_accepts(
    transactional_db: Any, live_server: Any, browser: Any,  # noqa: F811 - the fixture above
    rust_answer: Post, member: User, other_member: User,  # noqa: F811 - the fixture above
) -> None:
    from playwright.sync_api import expect

    question_id, answer_id = rust_answer.question_id, rust_answer.pk

    # Mira asks who knows about rust, from the main navigation.
    mira = sign_in(browser, live_server.url, "mira")
    mira.get_by_role("navigation", name="Main").get_by_role("link", name="Who knows").click()
    expect(mira.get_by_role("heading", level=1)).to_have_text("Who knows?")
    mira.get_by_label("Who knows about").fill("who knows about rust")
    mira.get_by_role("button", name="Find", exact=True).click()
    mira.wait_for_url(re.compile(r"/who-knows/\?q=who\+knows\+about\+rust$"))
    otto = mira.get_by_role("article", name="Otto Other")
    expect(otto).to_contain_text("Open to mentoring")
    expect(otto).to_contain_text("Accepted answer")
    expect(otto).to_contain_text("helped 1 person")
    shot(mira, "20-who-knows")

    # The evidence leads to the answer in its thread.
    otto.get_by_role("link", name=re.compile("borrow checker reject my loop")).click()
    mira.wait_for_url(re.compile(rf"/posts/{question_id}/#post-{answer_id}$"))
    expect(mira.get_by_role("heading", level=1)).to_have_text(RUST_TITLE)
    expect(mira.locator(f"#post-{answer_id}")).to_contain_text("Accepted answer")

    # A learning goal; Waggle suggests Otto, and Mira asks him.
    mira.goto("/me/goals/")
    mira.get_by_label("Topic").fill("rust")
    mira.get_by_label("What do you want to learn?").fill("Understand lifetimes and borrowing")
    mira.get_by_role("button", name="Set this goal").click()
    mira.wait_for_url(re.compile(r"/me/goals/\d+/$"))
    expect(mira.locator(".flash")).to_contain_text("Your goal is set")
    mentors = mira.locator(".suggested-mentors")
    expect(mentors).to_contain_text("Otto Other")
    mentors.get_by_text("Ask Otto Other for mentoring").click()
    mentors.get_by_label("Message (optional)").fill("Could we pair for an hour next week?")
    shot(mira, "21-goal-suggested-mentor")
    mentors.get_by_role("button", name="Ask for mentoring").click()
    expect(mira.locator(".flash")).to_contain_text("You asked Otto Other to mentor you")
    expect(mira.locator(".goal-requests")).to_contain_text("Requested")

    # Otto, in his own browser, is told and accepts.
    otto_page = sign_in(browser, live_server.url, "otto")
    otto_page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile("^Notifications")).click()
    expect(otto_page.locator(".notification-list")).to_contain_text("asked you to mentor them")
    otto_page.get_by_role("link", name="see your mentoring requests").click()
    request = otto_page.locator(".mentoring-request").first
    expect(request).to_contain_text("Understand lifetimes and borrowing")
    expect(request).to_contain_text("Could we pair for an hour next week?")
    request.get_by_role("button", name="Accept").click()
    expect(otto_page.locator(".flash")).to_contain_text("You agreed to mentor Mira Member")
    shot(otto_page, "22-mentor-accepted")
    assert MentoringRequest.objects.get().state == MentoringRequest.State.ACCEPTED

    # Mira sees the answer.
    mira.goto("/me/mentoring/")
    expect(mira.locator("#sent-title + .mentoring-request")).to_contain_text("Accepted")
