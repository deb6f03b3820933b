"""Search in a real browser (Chromium through Playwright, against a live server): a member types
into the header's search box, reads the highlighted result, narrows the search with a filter
(swapped in by HTMX, the address following), and follows the result to its thread. Screenshots
go to test-artifacts/browser/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import make_person
from tests.web.test_browser import browser, shot, sign_in  # noqa: F401 - `browser` is a fixture
from waggle.exchange.actions import do_answer_question, do_ask_question
from waggle.people.models import User
from waggle.spaces.models import Space

pytestmark = pytest.mark.browser


def test_search_from_the_header_filter_and_open_the_result(
    transactional_db: Any, live_server: Any, browser: Any,  # noqa: F811 - the fixture above
    space: Space, private_space: Space, member: User, other_member: User, host: User,
) -> None:
    from playwright.sync_api import expect

    question = do_ask_question(
        space, acting_user=other_member, title="Which VPN client works on Linux laptops?",
        body="The office VPN drops every hour on my Linux laptop.",
    )
    answer = do_answer_question(question, acting_user=member,
                                body="Use the WireGuard VPN profile from the IT portal.")
    do_ask_question(private_space, acting_user=host, title="VPN budget for the merger",
                    body="Keep the VPN costs confidential.")
    make_person("vera", display_name="Vera Network", title="VPN specialist")

    page = sign_in(browser, live_server.url, "mira")
    header_search = page.get_by_role("banner").get_by_label("Search Waggle")
    header_search.fill("vpn")
    header_search.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=vpn$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    results = page.locator("#search-results")
    expect(results.locator(".search-count")).to_contain_text("3 results for “vpn”")
    hit = results.locator(".search-hit").filter(has_text="Which VPN client")
    expect(hit.first.locator("mark").first).to_have_text(re.compile("vpn", re.I))
    # The people who match come first: who they are, never how much they post.
    people = results.locator(".people-found")
    expect(people.get_by_role("heading", name="People")).to_be_visible()
    expect(people.locator(".person-hit")).to_have_count(1)
    expect(people.locator(".person-hit")).to_contain_text("Vera Network")
    expect(people.locator(".person-hit")).to_contain_text("VPN specialist")
    shot(page, "10-search-results")

    # Narrow to answers: HTMX swaps the results and the address keeps the filter.
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Answer", exact=True).check()
    expect(results.locator(".search-count")).to_contain_text("1 result for “vpn”")
    expect(page).to_have_url(re.compile(r"kind=answer"))
    expect(page.locator("#search-status")).to_contain_text("1 result for “vpn”")
    only = results.locator(".search-hit")
    expect(only).to_have_count(1)
    expect(only).to_contain_text("WireGuard")
    expect(only.locator(".kind-label")).to_have_text("Answer")
    expect(results.locator(".people-found")).to_have_count(0)  # answers only: no people
    shot(page, "11-search-narrowed")

    # The same filtered address loads the same results without JavaScript's help.
    page.reload()
    expect(page.get_by_label("Answer", exact=True)).to_be_checked()
    expect(results.locator(".search-hit")).to_have_count(1)

    # The result leads to the answer on its question's page.
    only.get_by_role("link", name="Which VPN client works on Linux laptops?").click()
    page.wait_for_url(re.compile(rf"/posts/{question.pk}/#post-{answer.pk}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Which VPN client works on Linux laptops?")
    expect(page.locator(f"#post-{answer.pk}")).to_contain_text("WireGuard VPN profile")
    shot(page, "12-search-result-opened")

    # On a phone the header's search box fits and the results page does not scroll sideways.
    phone = sign_in(browser, live_server.url, "mira", phone=True)
    expect(phone.get_by_role("banner").get_by_label("Search Waggle")).to_be_visible()
    phone.goto("/search/?q=vpn")
    expect(phone.locator(".search-count")).to_contain_text("3 results")
    expect(phone.locator(".people-found .person-hit")).to_have_count(1)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the search page scrolls sideways on a phone ({width}px)"
    shot(phone, "13-search-on-a-phone")

    # Only people (the People kind): the person's card leads to their profile.
    page.goto("/search/?q=vpn")
    page.get_by_text("Filters", exact=True).click()
    page.get_by_role("checkbox", name="People", exact=True).check()
    expect(page).to_have_url(re.compile(r"kind=people"))
    expect(results.locator(".search-count")).to_contain_text("1 person for “vpn”")
    expect(results.locator(".search-hit")).to_have_count(0)
    shot(page, "14-search-people-only")
    results.get_by_role("link", name=re.compile("Vera Network")).click()
    page.wait_for_url(re.compile(r"/people/vera/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vera Network")
