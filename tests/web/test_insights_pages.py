"""The insights pages through the client: a space's health (hosts only) with its ghost-town
actions, the organization's insights (enablers only: not members, not administrators), a
person's own suggested introductions and impact; small groups hidden, no per-person activity
figures anywhere, and the enabler role granted by administrators through an audited action."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import client_for, make_person
from tests.insights.test_report import PERSON_NAMES, Organization, build_organization
from tests.web.conftest import Thread, text_of, whole_page
from waggle.core.errors import Invalid, NotAllowed
from waggle.core.models import AuditEntry
from waggle.exchange.actions import do_answer_question, do_ask_question
from waggle.exchange.models import Post
from waggle.expertise.index import rebuild_expertise
from waggle.expertise.models import QuestionInvitation
from waggle.insights.snapshot import compute_network_snapshot
from waggle.people.actions import do_create_department, do_set_enabler, do_update_profile
from waggle.people.models import Department, User
from waggle.spaces.actions import do_create_space, do_join_space
from waggle.spaces.models import Invitation, Space
from waggle.value.actions import do_report_value

NOW = timezone.now()


def ago(days: float) -> dt.datetime:
    return NOW - dt.timedelta(days=days)


def spec_of(response: Any, chart_id: str) -> dict[str, Any]:
    """The chart spec a page carries for `chart_id` (the JSON script element)."""
    found = re.search(rf'id="{chart_id}-spec"[^>]*>(.*?)</script>', whole_page(response), re.S)
    assert found, f"no chart {chart_id!r} in the page"
    spec: dict[str, Any] = json.loads(found[1])
    return spec


def crowd(prefix: str, n: int) -> list[User]:
    return [make_person(f"{prefix}{i}", display_name=f"{prefix.title()} Person {i}")
            for i in range(n)]


# --- a space's health ---------------------------------------------------------------------------


@pytest.fixture
def team_space(host: User) -> tuple[Space, list[User]]:
    """Six members: the host and five teammates; a question answered and found valuable."""
    team = crowd("teammate", 5)
    space = do_create_space("Platform Team", acting_user=host)
    for person in team:
        do_join_space(space, acting_user=person)
    question = do_ask_question(space, acting_user=team[0], title="How do we cut #ci times?",
                               created_at=ago(10))
    answer = do_answer_question(question, acting_user=team[1], body="Cache the wheels.",
                                created_at=ago(9))
    do_report_value(acting_user=team[0], post=answer, saved_time=True, minutes_saved=45)
    do_ask_question(space, acting_user=team[2], title="Who owns the runners?", created_at=ago(3))
    return space, team


def health_url(space: Space) -> str:
    return reverse("web:space_health", args=[space.slug])


def test_a_host_sees_the_figures_the_weekly_chart_and_what_helped(
    host_client: Client, team_space: tuple[Space, list[User]]
) -> None:
    space, team = team_space
    response = host_client.get(health_url(space))
    assert response.status_code == 200
    main = text_of(response)
    assert "Health of Platform Team" in main
    assert re.search(r"Members</th><td>6<", main)
    assert re.search(r"Questions asked</th><td>2<", main)
    assert re.search(r"Of those, answered</th><td>1 \(50%\)", main)
    assert "hidden: fewer than 5 answered questions" in main  # a median of one answer
    assert reverse("web:space_unanswered", args=[space.slug]) in main
    spec = spec_of(response, "space-weekly")
    assert spec["kind"] == "line" and len(spec["weeks"]) == 12
    assert [s["name"] for s in spec["series"]] == [
        "Questions asked", "Answered (of that week's questions)", "Active people"]
    assert sum(spec["series"][0]["values"]) == 2
    # The chart assets come with the insights pages only.
    assert "web/charts.js" in whole_page(response)
    assert "web/charts.js" not in whole_page(host_client.get("/"))
    # What helped: the answer, with what it did, and nobody's name.
    assert "An answer to “How do we cut #ci times?”" in main
    assert "45 min saved" in main
    assert not any(p.name in main for p in team)
    assert "This space is going quiet" not in main


def test_the_space_page_links_hosts_to_its_health(
    host_client: Client, member_client: Client, space: Space
) -> None:
    assert health_url(space) in text_of(host_client.get(f"/spaces/{space.slug}/"))
    assert health_url(space) not in text_of(member_client.get(f"/spaces/{space.slug}/"))


def test_a_small_space_hides_its_figures(host_client: Client, space: Space) -> None:
    response = host_client.get(health_url(space))  # three members
    assert response.status_code == 200
    main = text_of(response)
    assert "Figures are hidden: fewer than 5 members" in main
    assert "Members</th>" not in main and "space-weekly-spec" not in main


def test_only_hosts_see_a_space_s_health(
    member_client: Client, outsider_client: Client, space: Space, private_space: Space,
    admin_user: User,
) -> None:
    assert member_client.get(health_url(space)).status_code == 403
    assert member_client.get(health_url(private_space)).status_code == 403
    assert outsider_client.get(health_url(space)).status_code == 403  # sees it, no host
    assert outsider_client.get(health_url(private_space)).status_code == 404
    assert client_for(admin_user).get(health_url(private_space)).status_code == 404
    assert Client().get(health_url(space)).status_code == 302  # to the login page
    response = member_client.post(reverse("web:space_health_invite", args=[space.slug]),
                                  {"username": "oscar"})
    assert response.status_code == 403
    assert not Invitation.objects.filter(space=space).exists()


@pytest.fixture
def ghost_town(host: User) -> tuple[Space, list[User], User]:
    """Busy four to eight weeks ago (eight #kubernetes questions answered), then two questions
    nobody answered; someone outside asked about #kubernetes in another space."""
    people = crowd("guildie", 5)
    space = do_create_space("Kubernetes Guild", acting_user=host)
    for person in people:
        do_join_space(space, acting_user=person)
    for i in range(8):
        question = do_ask_question(space, acting_user=people[i % 2],
                                   title=f"#kubernetes pods {i}?", created_at=ago(30 + 3 * i))
        do_answer_question(question, acting_user=people[2 + i % 3], body="Like this.",
                           created_at=ago(30 + 3 * i) + dt.timedelta(hours=3))
    do_ask_question(space, acting_user=people[0], title="#kubernetes ingress keeps failing?",
                    created_at=ago(20))
    do_ask_question(space, acting_user=people[1], title="#kubernetes node pools?",
                    created_at=ago(10))
    elsewhere = do_create_space("Platform Engineering", acting_user=host)
    asker = make_person("elsewhere", display_name="Elsa Elsewhere")
    do_ask_question(elsewhere, acting_user=asker, title="#kubernetes autoscaling?",
                    created_at=ago(60))
    rebuild_expertise()
    return space, people, asker


def test_a_ghost_town_warns_and_offers_what_to_do(
    host_client: Client, host: User, ghost_town: tuple[Space, list[User], User]
) -> None:
    space, people, asker = ghost_town
    main = text_of(host_client.get(health_url(space)))
    assert "This space is going quiet" in main
    assert "2 posts and comments in the last four weeks, 16 in the four weeks before" in main
    assert "#kubernetes node pools?" in main and "Invite likely helpers" in main
    assert "Likely helpers:" in main
    assert "Elsa Elsewhere" in main and "Invite all of them" in main


def test_the_host_invites_the_suggested_people_through_the_action(
    host_client: Client, host: User, ghost_town: tuple[Space, list[User], User]
) -> None:
    space, _, asker = ghost_town
    response = host_client.post(reverse("web:space_health_invite", args=[space.slug]),
                                {"username": [asker.username, "nobody-at-all"]}, follow=True)
    assert response.redirect_chain[-1][0] == health_url(space)
    page = text_of(response)
    assert "Invited to Kubernetes Guild: Elsa Elsewhere." in whole_page(response)
    assert "Nobody here has the username “nobody-at-all”." in whole_page(response)
    invitation = Invitation.objects.get(space=space, invitee=asker)
    assert invitation.status == Invitation.Status.PENDING and invitation.invited_by == host
    assert AuditEntry.objects.filter(action="invite_to_space", actor_id=host.pk,
                                     target_id=space.pk, data__invitee_id=asker.pk).exists()
    assert '<span class="meta">Invited</span>' in page  # no second button for them


def test_the_host_asks_likely_helpers_through_the_action(
    host_client: Client, host: User, ghost_town: tuple[Space, list[User], User]
) -> None:
    space, people, _ = ghost_town
    question = Post.objects.get(space=space, title="#kubernetes node pools?")
    response = host_client.post(reverse("web:question_offer", args=[question.pk]),
                                {"next": health_url(space)})
    assert response.status_code == 302 and response["Location"] == health_url(space)
    invited = set(QuestionInvitation.objects.filter(question=question)
                  .values_list("person_id", flat=True))
    assert invited and invited <= {p.pk for p in people}
    assert AuditEntry.objects.filter(action="escalate_question", actor_id=host.pk).exists()


# --- the organization ---------------------------------------------------------------------------


@pytest.fixture
def organization(db: Any, settings: Any, tmp_path: Any) -> Organization:
    settings.VAR_DIR = tmp_path
    return build_organization()


def test_only_enablers_see_the_organization_s_insights(organization: Organization) -> None:
    member = client_for(organization.people["Audit"][0])
    response = member.get("/insights/")
    assert response.status_code == 403
    assert "Organization-wide insights are for enablers." in text_of(response)
    # An administrator is no enabler by being one.
    assert client_for(organization.admin).get("/insights/").status_code == 403
    assert Client().get("/insights/").status_code == 302
    enabler = client_for(organization.enabler)
    assert enabler.get("/insights/").status_code == 200
    # The menu links enablers there, nobody else.
    assert 'href="/insights/"' in whole_page(enabler.get("/"))
    assert 'href="/insights/"' not in whole_page(member.get("/"))
    assert 'href="/insights/"' not in whole_page(client_for(organization.admin).get("/"))


def test_before_the_first_snapshot_the_page_says_how_to_compute_it(
    organization: Organization,
) -> None:
    main = text_of(client_for(organization.enabler).get("/insights/"))
    assert "No help-network snapshot yet" in main and "waggle insights compute" in main


def test_the_enabler_sees_the_network_small_groups_hidden(organization: Organization) -> None:
    compute_network_snapshot()
    response = client_for(organization.enabler).get("/insights/")
    main = text_of(response)
    mixing = spec_of(response, "mixing")
    assert mixing["rows"] == mixing["cols"] == ["Audit", "Billing"]
    assert mixing["values"] == [[6, 12], [None, 0]]  # the work of two people: hidden
    network = spec_of(response, "department-network")
    assert [(n["label"], n["size"]) for n in network["nodes"]] == [("Audit", 6), ("Billing", 6)]
    assert [(e["source"], e["target"]) for e in network["edges"]] == [
        tuple(str(d.pk) for d in Department.objects.order_by("name")[:2])]
    assert "1 department hidden: fewer than 5 people" in main
    assert "Legal" not in main  # three people: never named with a figure
    assert "Modularity" in main and "waggle insights compute" in main
    assert '<table class="departments">' in main
    # Value by department: Billing (six people said Audit's answers solved their problem).
    assert re.search(r"<th scope=\"row\">Billing</th><td>6</td><td>6</td><td>6</td>", main)
    minutes = spec_of(response, "value-department-minutes")
    assert minutes["series"] == [{"name": "Billing", "values": [0] * 11 + [180]}]
    assert "An answer to “How do we close the #ledger" in main


@pytest.mark.parametrize("by", ["department", "topic", "space", "nonsense"])
def test_no_person_is_named_but_enablers_who_share_their_impact(
    organization: Organization, by: str
) -> None:
    compute_network_snapshot()
    enabler = client_for(organization.enabler)
    response = enabler.get(f"/insights/?by={by}")
    assert response.status_code == 200
    assert not PERSON_NAMES.search(text_of(response))
    assert "Nobody to name" in text_of(response)
    star = organization.people["Audit"][0]
    do_update_profile(star, acting_user=star, share_impact=True)
    compute_network_snapshot()
    main = text_of(enabler.get(f"/insights/?by={by}"))
    assert PERSON_NAMES.findall(main) == ["Audit"]  # once: the enabler, linked, no figure
    assert f'href="/people/{star.username}/"' in main
    listed = main.split('id="enablers-title"', 1)[1].split("</section>", 1)[0]
    words = re.sub(r"<[^>]+>", " ", listed.split("</p>", 1)[1])
    assert star.name in words and not re.search(r"\d", words.replace(star.name, ""))


# --- a person's own -----------------------------------------------------------------------------


@pytest.fixture
def colleagues(member: User) -> dict[str, User]:
    sales = do_create_department("Sales")
    do_update_profile(member, acting_user=member, skills=["kubernetes"])
    found = {}
    for username, display in (("sam", "Sam Sales"), ("shy", "Shy Sales")):
        found[username] = make_person(username, display_name=display, department=sales)
        do_update_profile(found[username], acting_user=found[username], skills=["kubernetes"])
    do_update_profile(found["shy"], acting_user=found["shy"], opt_out_analytics=True)
    return found


def test_introductions_are_one_s_own_and_never_name_who_opted_out(
    member_client: Client, colleagues: dict[str, User], member: User
) -> None:
    response = member_client.get("/me/introductions/?person=sam&username=sam")
    assert response.status_code == 200
    main = text_of(response)
    assert "Sam Sales" in main and "#kubernetes" in main and "Sales · You both work on" in main
    assert "Shy Sales" not in main
    assert "Mira Member" not in main
    # Sam's page is Sam's: Mira is suggested to him, whatever the query string says.
    main = text_of(client_for(colleagues["sam"]).get("/me/introductions/?person=mira"))
    assert "Mira Member" in main and "Sam Sales" not in main
    # Who opted out is told why there is nothing.
    main = text_of(client_for(colleagues["shy"]).get("/me/introductions/"))
    assert "You opted out of analytics" in main and "Mira Member" not in main
    assert Client().get("/me/introductions/").status_code == 302


def test_the_profile_page_links_to_one_s_impact_and_introductions(member_client: Client) -> None:
    main = text_of(member_client.get("/me/"))
    assert 'href="/me/impact/"' in main and 'href="/me/introductions/"' in main


def test_one_s_own_impact_over_time(
    thread: Thread, other_client: Client, member_client: Client
) -> None:
    response = other_client.get("/me/impact/")  # Otto's answer solved Mira's problem
    assert response.status_code == 200
    main = text_of(response)
    assert "1</strong> time a colleague said your help helped them" in main
    assert "1h 30m" in main or "90 min" in main
    assert "Mira Member" in main  # whom Otto helped: his to see
    minutes = spec_of(response, "my-impact-minutes")
    assert minutes["series"] == [{"name": "Minutes saved", "values": [0] * 11 + [90]}]
    # Mira's page is about Mira's own help: none yet.
    main = text_of(member_client.get("/me/impact/"))
    assert "No value reported on your help" in main and "Otto Other" not in main
    assert "my-impact-minutes-spec" not in main


# --- the enabler role ---------------------------------------------------------------------------


def test_administrators_choose_enablers_through_an_audited_action(
    member: User, admin_user: User, guest: User
) -> None:
    with pytest.raises(NotAllowed):
        do_set_enabler(member, True, acting_user=member)
    with pytest.raises(Invalid):
        do_set_enabler(guest, True, acting_user=admin_user)
    assert do_set_enabler(member, True, acting_user=admin_user).is_enabler
    entry = AuditEntry.objects.get(action="set_enabler")
    assert (entry.actor_id, entry.target_id, entry.data) == (admin_user.pk, member.pk,
                                                             {"enabled": True})
    do_set_enabler(member, True, acting_user=admin_user)  # no change: no second entry
    assert AuditEntry.objects.filter(action="set_enabler").count() == 1
    assert not do_set_enabler(member, False, acting_user=admin_user).is_enabler


def test_the_admin_site_shows_and_sets_the_enabler_role(
    member: User, other_member: User, admin_user: User
) -> None:
    admin = client_for(admin_user)
    listing = admin.get("/admin/people/user/")
    assert listing.status_code == 200 and "is_enabler" in whole_page(listing)
    response = admin.post("/admin/people/user/", {
        "action": "make_enablers", "_selected_action": [member.pk, other_member.pk],
    }, follow=True)
    assert "Enabler role given to 2 people." in whole_page(response)
    member.refresh_from_db()
    assert member.is_enabler
    assert AuditEntry.objects.filter(action="set_enabler", actor_id=admin_user.pk).count() == 2
    admin.post("/admin/people/user/", {
        "action": "remove_enablers", "_selected_action": [member.pk],
    })
    member.refresh_from_db()
    assert not member.is_enabler


def test_the_admin_change_form_sets_the_role_through_the_action(
    member: User, admin_user: User
) -> None:
    from types import SimpleNamespace

    from django.contrib import admin
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.test import RequestFactory

    request = RequestFactory().post("/admin/people/user/")
    request.user = admin_user
    request.session = {}  # type: ignore[assignment]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    person_admin = admin.site._registry[User]
    member.is_enabler = True  # as the form sets it
    form = SimpleNamespace(changed_data=["is_enabler"], initial={"is_enabler": False},
                           save_m2m=lambda: None)
    person_admin.save_model(request, member, form, True)
    member.refresh_from_db()
    assert member.is_enabler
    assert AuditEntry.objects.filter(action="set_enabler", actor_id=admin_user.pk,
                                     target_id=member.pk).count() == 1
