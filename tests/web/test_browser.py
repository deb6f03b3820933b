"""The real UI in a real browser: Chromium (Debian's, driven by Playwright) against a live server.

Member A signs in through the login form and asks a question; member B signs in and answers
it; A accepts the answer and reports that it helped. Each step asserts what a person sees, and
leaves a screenshot in test-artifacts/browser/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PASSWORD
from waggle.people.models import User
from waggle.spaces.models import Space

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]

pytestmark = pytest.mark.browser


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            "The browser tests need Debian's chromium at /usr/bin/chromium "
            "(run scripts/ensure_chromium.sh, or: apt-get install chromium)."
        )
    # Playwright's sync API runs an event loop in this thread; the ORM calls this test makes
    # between browser steps are ordinary synchronous code, so Django's guard does not apply.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def sign_in(browser: Any, base: str, username: str, *, phone: bool = False) -> Any:
    """A fresh browser context (its own cookies) signed in through the login form."""
    viewport = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 900}
    context = browser.new_context(viewport=viewport, base_url=base)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/")
    assert "/login/" in page.url  # everything asks for sign-in first
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))
    return page


def shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_ask_answer_accept_and_report_value(
    transactional_db: Any, live_server: Any, browser: Any, space: Space, member: User,
    other_member: User,
) -> None:
    from playwright.sync_api import expect

    base = live_server.url
    title = "How do we rotate the staging database password?"

    # Member A signs in (with a wrong password first) and asks a question.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base)
    context.set_default_timeout(10_000)
    a = context.new_page()
    a.goto("/login/")
    a.get_by_label("Username").fill("mira")
    a.get_by_label("Password").fill("wrong password")
    a.get_by_role("button", name="Sign in").click()
    expect(a.get_by_role("alert")).to_contain_text("do not match")
    shot(a, "01-login-error")
    a.get_by_label("Password").fill(PASSWORD)
    a.get_by_role("button", name="Sign in").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Your feed")
    # The keyboard reaches the skip link first.
    a.keyboard.press("Tab")
    expect(a.locator(":focus")).to_have_text("Skip to content")

    a.get_by_role("navigation", name="Main").get_by_role("link", name="Ask").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Ask a question")
    a.get_by_role("button", name="Ask").click()  # nothing filled in: errors, nothing asked
    expect(a.locator("#id_space_error")).to_have_text("Choose the space to ask in.")
    a.get_by_label("Space").select_option(label="Data Science")
    a.get_by_role("button", name="Ask").click()
    expect(a.locator("#id_title_error")).to_contain_text("at least 5 characters")
    expect(a.get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    shot(a, "02-ask-errors")
    a.get_by_label("Title").fill(title)
    a.get_by_label("Details").fill("It expires on Friday. Is there a #runbook?")
    a.get_by_label("Topics").fill("security, databases")
    a.get_by_role("button", name="Ask").click()
    expect(a.get_by_role("heading", level=1)).to_have_text(title)
    expect(a.get_by_role("heading", name="No answers yet")).to_be_visible()
    expect(a.locator(".topics")).to_contain_text("#runbook")
    question_url = a.url
    shot(a, "03-question-asked")

    # Member B signs in in another context and answers (HTMX swaps the answers in place).
    b = sign_in(browser, base, "otto")
    expect(b.get_by_role("link", name=title)).to_be_visible()  # in B's home feed
    b.get_by_role("link", name=title).click()
    b.get_by_label("Your answer").fill("Use the **vault** rotation job; it takes 2 minutes.")
    b.get_by_role("button", name="Post your answer").click()
    expect(b.get_by_role("heading", name="1 answer")).to_be_visible()
    expect(b.locator(".answer")).to_contain_text("vault rotation job")
    assert b.url == question_url  # swapped in, no navigation
    # B may not accept (only the asker or a host) and cannot report value on their own answer.
    expect(b.get_by_role("button", name="Accept this answer")).to_have_count(0)
    expect(b.locator(".answer").get_by_text("This helped me")).to_have_count(0)
    shot(b, "04-answered")

    # A is told, accepts the answer and reports value.
    a.goto("/notifications/")
    expect(a.get_by_role("main")).to_contain_text("Otto Other answered your question")
    a.goto(question_url)
    a.get_by_role("button", name="Accept this answer").click()
    expect(a.locator(".answer.accepted")).to_contain_text("Accepted answer")
    answer = a.locator(".answer")
    answer.get_by_text("This helped me").click()
    answer.get_by_role("button", name="Report value").click()  # no kind chosen yet
    expect(answer.locator(".field-error")).to_contain_text("Say how it helped")
    # Keyboard focus lands on the field to fix, not on the page's top.
    expect(answer.get_by_label("It solved a problem")).to_be_focused()
    answer.get_by_label("It solved a problem").check()
    answer.get_by_label("It saved me time").check()
    answer.get_by_label("Minutes saved (optional)").fill("45")
    answer.get_by_role("button", name="Report value").click()
    expect(answer.locator(".you-reported")).to_have_text(
        "You reported: solved a problem, saved time (~45 min)."
    )
    expect(answer.locator(".value-words")).to_contain_text(
        "1 colleague says this solved a problem, 1 says it saved time · ~45 min saved"
    )
    answer.get_by_text("Give kudos").click()
    answer.get_by_label("Kudos message").fill("Saved my Friday!")
    answer.get_by_role("button", name=re.compile("Send kudos")).click()
    expect(answer.locator(".kudos-item")).to_contain_text("Saved my Friday!")
    shot(a, "05-accepted-and-valued")

    # Without reloading anything, A's page is what a fresh load shows too.
    a.reload()
    expect(a.locator(".answer.accepted .value-words")).to_contain_text("~45 min saved")
    # Changing the report starts from what A reported.
    answer = a.locator(".answer")
    answer.get_by_text("Change your report").click()
    expect(answer.get_by_label("It solved a problem")).to_be_checked()
    expect(answer.get_by_label("I learned something")).not_to_be_checked()
    expect(answer.get_by_label("Minutes saved (optional)")).to_have_value("45")

    # B sees the value their help created on their own profile.
    b.goto("/people/otto/")
    impact = b.locator(".impact")
    expect(impact).to_contain_text("Your impact")
    expect(impact).to_contain_text("said your help solved a problem")
    expect(impact).to_contain_text("Mira Member")
    expect(impact).to_contain_text("Saved my Friday!")
    shot(b, "06-impact")

    # And the question reads well on a phone.
    phone = sign_in(browser, base, "otto", phone=True)
    phone.goto(question_url)
    expect(phone.get_by_role("heading", level=1)).to_have_text(title)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(phone, "07-question-on-a-phone")
