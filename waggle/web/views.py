"""Pages of the web UI: thin adapters that read through the gate, write through actions, render.

Every form works without JavaScript (POST, then a redirect, or the page again with the errors
and status 400); with HTMX the same endpoints answer the re-rendered partial instead.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from waggle.api.actions import do_create_access_token, do_revoke_access_token
from waggle.api.models import AccessToken
from waggle.core.errors import Invalid, NotFound
from waggle.core.markdown import render_markdown
from waggle.exchange.access import access_comment, access_post, can_edit_post, visible_posts
from waggle.exchange.actions import (
    do_accept_answer,
    do_answer_question,
    do_ask_question,
    do_comment,
    do_edit_post,
    do_follow,
    do_mark_duplicate,
    do_post_lesson,
    do_post_update,
    do_unfollow,
    do_unmark_duplicate,
)
from waggle.exchange.feeds import (
    FEED_ORDER,
    feed_sources,
    home_feed,
    person_feed,
    space_feed,
    topic_feed,
)
from waggle.exchange.models import Comment, Follow, Post
from waggle.expertise.who_knows import known_topics
from waggle.harvest.models import ImportRun
from waggle.notify.actions import do_mark_notifications_read
from waggle.notify.models import Notification
from waggle.people.access import access_person, visible_people
from waggle.people.actions import do_update_profile
from waggle.people.models import Department, User
from waggle.search.people import PeopleResults, knows_about, search_people
from waggle.search.query import search as run_search
from waggle.search.result_links import result_url
from waggle.search.similar import similar_questions
from waggle.search.status import search_status
from waggle.spaces.access import access_space, can_post_in, membership_of, visible_spaces
from waggle.spaces.actions import (
    do_create_space,
    do_invite_to_space,
    do_join_space,
    do_leave_space,
    do_respond_to_invitation,
)
from waggle.spaces.models import Invitation, Membership, Space
from waggle.topics.access import access_topic, visible_topics
from waggle.value.actions import do_give_kudos, do_report_value
from waggle.value.impact import impact_of
from waggle.web import forms
from waggle.web.decorators import page
from waggle.web.expertise_views import question_routing
from waggle.web.paging import keyset_page
from waggle.web.search_form import PEOPLE, SearchForm
from waggle.web.threads import Thread, build_thread

POST = ("POST",)
GET_POST = ("GET", "POST")
PEOPLE_SHOWN = 5  # people above the posts on the first page of a search
PEOPLE_PER_PAGE = 20  # a page of `kind=people`


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link or a prefetch can never sign someone out."""


def _signed_in(request: HttpRequest) -> User:
    """The person signed in, for views behind `page()` (which sends anyone else to log in)."""
    user = request.user
    assert isinstance(user, User), "page() lets only signed-in people through"
    return user


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _problem(request: HttpRequest, error: Invalid, back: str) -> HttpResponse:
    """A button-only form (join, follow, accept, ...) broke a rule: say which, status 400."""
    return render(request, "web/problem.html", {"message": error.message, "back": back},
                  status=400)


def _back(request: HttpRequest, default: str) -> str:
    """Where a button should return to: the `next` field when it is one of our pages."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


# Home and feeds -------------------------------------------------------------------------


@page()
def home(request: HttpRequest) -> HttpResponse:
    everything = request.GET.get("feed") == "all"
    # The feed's sources include the viewer's spaces, which the page lists beside it.
    sources = feed_sources(request.user)
    feed = keyset_page(home_feed(request.user, everything=everything, sources=sources),
                       FEED_ORDER, request.GET)
    return render(request, "web/home.html", {
        "page": feed, "everything": everything, "my_spaces": sources.member_spaces[:15],
    })


# Spaces ------------------------------------------------------------------------------------


def _with_membership(spaces: Any, user: Any) -> Any:
    members = (
        Membership.objects.filter(space=OuterRef("pk")).order_by().values("space")
        .annotate(n=Count("id")).values("n")
    )
    return spaces.annotate(
        member_count=Coalesce(Subquery(members, output_field=IntegerField()), Value(0)),
        is_member=Exists(Membership.objects.filter(space=OuterRef("pk"), user_id=user.pk)),
    )


@page()
def space_list(request: HttpRequest) -> HttpResponse:
    mine = request.GET.get("mine") == "1"
    query = request.GET.get("q", "").strip()[:100]
    spaces = visible_spaces(request.user)
    if mine:
        spaces = spaces.filter(
            id__in=Membership.objects.filter(user_id=_signed_in(request).pk).values("space_id")
        )
    if query:
        spaces = spaces.filter(Q(name__icontains=query) | Q(description__icontains=query))
    listing = keyset_page(_with_membership(spaces, request.user), ("name", "id"), request.GET,
                          size=30)
    pending = Invitation.objects.filter(
        invitee_id=request.user.pk, status=Invitation.Status.PENDING
    ).count()
    return render(request, "web/spaces/list.html", {
        "page": listing, "mine": mine, "query": query, "pending_invitations": pending,
    })


@page(GET_POST)
def space_new(request: HttpRequest) -> HttpResponse:
    form = forms.SpaceForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                space = do_create_space(
                    form.cleaned_data["name"], acting_user=request.user,
                    description=form.cleaned_data["description"],
                    visibility=form.cleaned_data["visibility"], kind=form.cleaned_data["kind"],
                )
            except Invalid as exc:
                forms.add_invalid(form, exc)
            else:
                messages.success(request, f"You started {space.name}. You are its host.")
                return redirect("web:space", slug=space.slug)
        status = 400
    return render(request, "web/spaces/new.html", {"form": form}, status=status)


def _space_context(request: HttpRequest, space: Space, **extra: Any) -> dict[str, Any]:
    user = request.user
    membership = membership_of(user, space)
    hosts = [
        m.user for m in Membership.objects.filter(space=space, role=Membership.Role.HOST)
        .select_related("user").order_by("user__display_name", "user__username")[:12]
    ]
    return {
        "space": space,
        "membership": membership,
        "is_host": membership is not None and membership.role == Membership.Role.HOST,
        "hosts": hosts,
        "member_count": Membership.objects.filter(space=space).count(),
        "following": Follow.objects.filter(follower_id=user.pk, space=space).exists(),
        "page": keyset_page(space_feed(user, space), FEED_ORDER, request.GET),
        "can_post": can_post_in(user, space),
        "invite_form": extra.pop("invite_form", None) or forms.InviteForm(auto_id="id_invite_%s"),
        **extra,
    }


@page()
def space_detail(request: HttpRequest, slug: str) -> HttpResponse:
    space = access_space(request.user, slug)
    return render(request, "web/spaces/detail.html", _space_context(request, space))


@page(POST)
def space_join(request: HttpRequest, slug: str) -> HttpResponse:
    space = access_space(request.user, slug)
    try:
        do_join_space(space, acting_user=request.user)
    except Invalid as exc:
        return _problem(request, exc, reverse("web:space", args=[space.slug]))
    messages.success(request, f"You joined {space.name}.")
    return redirect("web:space", slug=space.slug)


@page(POST)
def space_leave(request: HttpRequest, slug: str) -> HttpResponse:
    space = access_space(request.user, slug)
    try:
        do_leave_space(space, acting_user=request.user)
    except Invalid as exc:
        return _problem(request, exc, reverse("web:space", args=[space.slug]))
    messages.success(request, f"You left {space.name}.")
    # A private space disappears from view once you leave it.
    if visible_spaces(request.user).filter(pk=space.pk).exists():
        return redirect("web:space", slug=space.slug)
    return redirect("web:spaces")


@page(GET_POST)
def space_invite(request: HttpRequest, slug: str) -> HttpResponse:
    space = access_space(request.user, slug)
    form = forms.InviteForm(request.POST or None, auto_id="id_invite_%s")
    status = 200
    if request.method == "POST":
        if form.is_valid():
            username = form.cleaned_data["username"].strip().lstrip("@")
            try:
                invitee = access_person(request.user, username)
                do_invite_to_space(space, invitee, acting_user=request.user)
            except NotFound:
                form.add_error("username", f"Nobody here has the username “{username}”.")
            except Invalid as exc:
                forms.add_invalid(form, exc, {"invitee": "username"})
            else:
                messages.success(request, f"{invitee.name} is invited to {space.name}.")
                return redirect("web:space", slug=space.slug)
        status = 400
    return render(request, "web/spaces/invite.html", {"space": space, "form": form},
                  status=status)


@page()
def invitations(request: HttpRequest) -> HttpResponse:
    pending = (
        Invitation.objects.filter(invitee_id=request.user.pk, status=Invitation.Status.PENDING)
        .select_related("space", "invited_by").order_by("-created_at")
    )
    return render(request, "web/spaces/invitations.html", {"invitations": pending})


@page(POST)
def invitation_respond(request: HttpRequest, invitation_id: int, answer: str) -> HttpResponse:
    invitation = (
        Invitation.objects.filter(pk=invitation_id, invitee_id=request.user.pk)
        .select_related("space").first()
    )
    if invitation is None:
        raise NotFound("No such invitation.")
    accept = answer == "accept"
    try:
        do_respond_to_invitation(invitation, accept=accept, acting_user=request.user)
    except Invalid as exc:
        return _problem(request, exc, reverse("web:invitations"))
    if accept:
        messages.success(request, f"Welcome to {invitation.space.name}.")
        return redirect("web:space", slug=invitation.space.slug)
    messages.info(request, f"You declined the invitation to {invitation.space.name}.")
    return redirect("web:invitations")


# Sharing: ask, update, lesson, edit ------------------------------------------------------


def _share_page(
    request: HttpRequest, template: str, form: Any, space: Space | None, create: Any
) -> HttpResponse:
    """Render a sharing form; on a valid POST run `create(cleaned_data)` and go to the post."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                post = create(form.cleaned_data)
            except Invalid as exc:
                forms.add_invalid(form, exc)
            else:
                return redirect("web:post", post_id=post.pk)
        status = 400
    return render(request, template, {"form": form, "space": space}, status=status)


def _ask(space: Space | None, user: Any) -> Any:
    """Ask in `space` (or the space chosen on the form); with the routing box checked Waggle
    invites people who may know to answer."""
    return lambda data: do_ask_question(
        space or data["space"], acting_user=user, title=data["title"], body=data["body"],
        topics=data["topics"], anonymous=data["anonymous"], route=data["route"],
    )


@page(GET_POST)
def space_ask(request: HttpRequest, slug: str) -> HttpResponse:
    space = access_space(request.user, slug)
    form = forms.AskForm(request.POST or None)
    return _share_page(request, "web/posts/ask.html", form, space, _ask(space, request.user))


@page(GET_POST)
def ask(request: HttpRequest) -> HttpResponse:
    spaces = visible_spaces(request.user).order_by("name")
    initial = {"space": request.GET.get("space")} if request.GET.get("space") else None
    form = forms.AskAnywhereForm(request.POST or None, initial=initial, spaces=spaces)
    return _share_page(request, "web/posts/ask.html", form, None, _ask(None, request.user))


@page()
def ask_similar(request: HttpRequest) -> HttpResponse:
    """Has this been asked? The closest questions to the title being typed (an HTMX partial
    under the title field; the ask form works without it)."""
    title = request.GET.get("title", "")[:300]
    found = similar_questions(request.user, title) if len(title.strip()) >= 3 else []
    response = render(request, "web/posts/_similar.html", {"similar": found, "title": title})
    patch_vary_headers(response, ("HX-Request",))
    return response


_POST_NUMBER = re.compile(r"(?:/posts/)?(\d+)/?(?:#.*)?$")


@page(POST)
def post_duplicate(request: HttpRequest, post_id: int) -> HttpResponse:
    """A host marks the question as a duplicate of another (given by its link or number), or
    takes the mark back (an empty `original`)."""
    question = access_post(request.user, post_id, kind=Post.Kind.QUESTION)
    given = request.POST.get("original", "").strip()
    try:
        if not given:
            do_unmark_duplicate(question, acting_user=request.user)
            messages.success(request, "This question is no longer marked as a duplicate.")
        else:
            found = _POST_NUMBER.search(given)
            if found is None:
                raise Invalid("Give the original question's link or number.", field="original")
            original = access_post(request.user, found.group(1), kind=Post.Kind.QUESTION)
            link = do_mark_duplicate(question, original, acting_user=request.user)
            messages.success(request, f"Marked as a duplicate of “{link.target}”.")
    except NotFound:
        messages.error(request, "There is no question with that link or number that you can "
                       "see.")
    except Invalid as exc:  # NotAllowed goes on to the 403 page
        messages.error(request, exc.message)
    return redirect(_post_url(question))


@page(GET_POST)
def space_update(request: HttpRequest, slug: str) -> HttpResponse:
    space, user = access_space(request.user, slug), request.user
    return _share_page(
        request, "web/posts/update.html", forms.UpdateForm(request.POST or None), space,
        lambda data: do_post_update(space, acting_user=user, title=data["title"],
                                    body=data["body"], topics=data["topics"]),
    )


@page(GET_POST)
def space_lesson(request: HttpRequest, slug: str) -> HttpResponse:
    space, user = access_space(request.user, slug), request.user
    return _share_page(
        request, "web/posts/lesson.html", forms.LessonForm(request.POST or None), space,
        lambda data: do_post_lesson(
            space, acting_user=user, title=data["title"], tried=data["tried"],
            happened=data["happened"], next_time=data["next_time"], topics=data["topics"],
        ),
    )


@page(GET_POST)
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access_post(request.user, post_id)
    if not can_edit_post(request.user, post):
        raise PermissionDenied("Only the author can edit this.")
    topics = [t.name for t in post.topics.all()]
    if post.kind == Post.Kind.LESSON:
        initial = {"title": post.title, "tried": post.tried, "happened": post.happened,
                   "next_time": post.next_time, "topics": topics}
        form: Any = forms.LessonForm(request.POST or None, initial=initial)
    else:
        form = forms.EditPostForm(request.POST or None,
                                  initial={"title": post.title, "body": post.body,
                                           "topics": topics})
        if post.kind == Post.Kind.ANSWER:
            del form.fields["title"], form.fields["topics"]
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                do_edit_post(
                    post, acting_user=request.user, title=data.get("title"),
                    body=data.get("body"), tried=data.get("tried"),
                    happened=data.get("happened"), next_time=data.get("next_time"),
                    topics=data.get("topics") if "topics" in form.fields else None,
                )
            except Invalid as exc:
                forms.add_invalid(form, exc)
            else:
                messages.success(request, "Saved.")
                return redirect(_post_url(post))
        status = 400
    return render(request, "web/posts/edit.html", {"form": form, "post": post}, status=status)


# The post page and what is done on it -----------------------------------------------------


def _post_url(post: Post, anchor: str = "") -> str:
    root_id = post.question_id or post.pk
    url = reverse("web:post", args=[root_id])
    if post.question_id and not anchor:
        anchor = f"post-{post.pk}"
    return f"{url}#{anchor}" if anchor else url


def _root(user: Any, post: Post) -> Post:
    """The post a thread page is about: the question of an answer, else the post itself."""
    if post.question_id is None:
        return post
    return access_post(user, post.question_id)


@page()
def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access_post(request.user, post_id)
    if post.kind == Post.Kind.ANSWER:
        return redirect(_post_url(post))
    thread = build_thread(request.user, post)
    return render(request, "web/posts/detail.html", {
        "thread": thread,
        # An invited person's banner (opening the page marks the invitation seen); the asker's
        # and hosts' view of who was asked. (Only hosts may mark duplicates: the same check.)
        "routing": question_routing(request.user, post, host=thread.can_mark_duplicate),
    })


def _thread_answer(
    request: HttpRequest,
    thread: Thread,
    *,
    partial: str,
    item: Any = None,
    status: int = 200,
) -> HttpResponse:
    """The HTMX partial for one part of the thread, or the whole page for the non-JS path."""
    context = {"thread": thread, "item": item}
    if _htmx(request):
        return render(request, partial, context, status=status)
    context["routing"] = question_routing(request.user, thread.post,
                                          host=thread.can_mark_duplicate)
    return render(request, "web/posts/detail.html", context, status=status)


@page(POST)
def post_answer(request: HttpRequest, post_id: int) -> HttpResponse:
    question = access_post(request.user, post_id, kind=Post.Kind.QUESTION)
    form = forms.AnswerForm(request.POST, auto_id="id_answer_%s")
    if form.is_valid():
        try:
            answer = do_answer_question(question, acting_user=request.user,
                                        body=form.cleaned_data["body"])
        except Invalid as exc:
            forms.add_invalid(form, exc)
        else:
            if not _htmx(request):
                return redirect(_post_url(answer))
            return _thread_answer(request, build_thread(request.user, question),
                                  partial="web/posts/_answers.html")
    thread = build_thread(request.user, question)
    thread.answer_form = form
    return _thread_answer(request, thread, partial="web/posts/_answers.html", status=400)


@page(POST)
def post_accept(request: HttpRequest, post_id: int, answer_id: int | None = None) -> HttpResponse:
    question = access_post(request.user, post_id, kind=Post.Kind.QUESTION)
    answer = None
    if answer_id is not None:
        answer = access_post(request.user, answer_id, kind=Post.Kind.ANSWER)
    try:
        do_accept_answer(question, answer, acting_user=request.user)
    except Invalid as exc:
        return _problem(request, exc, _post_url(question))
    if not _htmx(request):
        return redirect(_post_url(answer) if answer else _post_url(question, "answers"))
    return _thread_answer(request, build_thread(request.user, question),
                          partial="web/posts/_answers.html")


@page(POST)
def post_comment(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access_post(request.user, post_id)
    auto_id = f"id_post{post.pk}_comment_%s"
    form = forms.CommentForm(request.POST, auto_id=auto_id)
    if form.is_valid():
        try:
            comment = do_comment(post, acting_user=request.user, body=form.cleaned_data["body"])
        except Invalid as exc:
            forms.add_invalid(form, exc)
        else:
            if not _htmx(request):
                return redirect(_post_url(post, f"comment-{comment.pk}"))
            thread = build_thread(request.user, _root(request.user, post))
            return _thread_answer(request, thread, partial="web/posts/_comments.html",
                                  item=thread.find_post(post.pk))
    thread = build_thread(request.user, _root(request.user, post))
    item = thread.find_post(post.pk)
    item.comment_form = form  # type: ignore[union-attr]
    return _thread_answer(request, thread, partial="web/posts/_comments.html", item=item,
                          status=400)


def _item_action(
    request: HttpRequest,
    *,
    post: Post | None,
    comment: Comment | None,
    form: Any,
    act: Any,
    partial: str,
    form_attr: str,
    anchor: str,
) -> HttpResponse:
    """Shared flow of the value report and kudos forms, on a post or on a comment."""
    thread_post = post if post is not None else comment.post  # type: ignore[union-attr]
    if form.is_valid():
        try:
            act(form)
        except Invalid as exc:
            forms.add_invalid(form, exc)
        else:
            if not _htmx(request):
                return redirect(_post_url(thread_post, anchor))
    ok = not form.errors
    thread = build_thread(request.user, _root(request.user, thread_post))
    item = (thread.find_post(post.pk) if post is not None
            else thread.find_comment(comment.pk))  # type: ignore[union-attr]
    if not ok:
        setattr(item, form_attr, form)
    elif form_attr == "value_form":
        item.value_open = True  # type: ignore[union-attr]
    return _thread_answer(request, thread, partial=partial, item=item,
                          status=200 if ok else 400)


def _value(request: HttpRequest, post: Post | None, comment: Comment | None) -> HttpResponse:
    prefix = f"post{post.pk}" if post is not None else f"comment{comment.pk}"  # type: ignore[union-attr]
    form = forms.ValueForm(request.POST, auto_id=f"id_{prefix}_%s")
    user = request.user
    return _item_action(
        request, post=post, comment=comment, form=form,
        act=lambda f: do_report_value(acting_user=user, post=post, comment=comment,
                                      **f.action_kwargs()),
        partial="web/posts/_value.html", form_attr="value_form", anchor=f"value-{prefix}",
    )


def _kudos(request: HttpRequest, post: Post | None, comment: Comment | None) -> HttpResponse:
    prefix = f"post{post.pk}" if post is not None else f"comment{comment.pk}"  # type: ignore[union-attr]
    form = forms.KudosForm(request.POST, auto_id=f"id_{prefix}_kudos_%s")
    user = request.user
    return _item_action(
        request, post=post, comment=comment, form=form,
        act=lambda f: do_give_kudos(acting_user=user, post=post, comment=comment,
                                    message=f.cleaned_data["message"]),
        partial="web/posts/_kudos.html", form_attr="kudos_form", anchor=f"kudos-{prefix}",
    )


@page(POST)
def post_value(request: HttpRequest, post_id: int) -> HttpResponse:
    return _value(request, access_post(request.user, post_id), None)


@page(POST)
def comment_value(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _value(request, None, access_comment(request.user, comment_id))


@page(POST)
def post_kudos(request: HttpRequest, post_id: int) -> HttpResponse:
    return _kudos(request, access_post(request.user, post_id), None)


@page(POST)
def comment_kudos(request: HttpRequest, comment_id: int) -> HttpResponse:
    return _kudos(request, None, access_comment(request.user, comment_id))


# Topics --------------------------------------------------------------------------------------


@page()
def topic_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip().lstrip("#")[:50]
    topics = visible_topics(request.user).annotate(
        following=Exists(Follow.objects.filter(follower_id=request.user.pk, topic=OuterRef("pk")))
    )
    if query:
        topics = topics.filter(name__icontains=query)
    listing = keyset_page(topics, ("name",), request.GET, size=60)
    return render(request, "web/topics/list.html", {"page": listing, "query": query})


@page()
def topic_detail(request: HttpRequest, name: str) -> HttpResponse:
    topic = access_topic(request.user, name)
    people = list(
        visible_people(request.user).filter(skills=topic).select_related("department")
        .order_by("display_name", "username")[:12]
    )
    return render(request, "web/topics/detail.html", {
        "topic": topic,
        "page": keyset_page(topic_feed(request.user, topic), FEED_ORDER, request.GET),
        "following": Follow.objects.filter(follower_id=request.user.pk, topic=topic).exists(),
        "people": people,
    })


# People ------------------------------------------------------------------------------------


@page()
def people_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:100]
    department = request.GET.get("department", "").strip()[:120]
    people = visible_people(request.user)
    if query:
        skill = query.lstrip("#").lower()
        people = people.filter(
            Q(display_name__icontains=query) | Q(username__icontains=query)
            | Q(first_name__icontains=query) | Q(last_name__icontains=query)
            | Q(title__icontains=query) | Q(department__name__icontains=query)
            | Q(team__name__icontains=query)
            | Q(id__in=User.skills.through.objects.filter(
                topic__name__icontains=skill).values("user_id"))
        )
    if department:
        people = people.filter(department__slug=department)
    listing = keyset_page(
        people.select_related("department", "team").prefetch_related("skills"),
        ("display_name", "username"), request.GET, size=24,
    )
    return render(request, "web/people/list.html", {
        "page": listing, "query": query, "department": department,
        "departments": Department.objects.order_by("name"),
    })


@page()
def person_detail(request: HttpRequest, username: str) -> HttpResponse:
    person = access_person(request.user, username)
    is_me = person.pk == request.user.pk
    return render(request, "web/people/detail.html", {
        "person": person,
        "is_me": is_me,
        "bio_html": render_markdown(person.bio) if person.bio else "",
        "skills": list(person.skills.all()),
        # Impact is the person's own view; colleagues see it only if the person shares it.
        "impact": impact_of(person, viewer=request.user)
        if is_me or person.share_impact else None,
        "posts": list(person_feed(request.user, person)[:10]),
        # What their help shows they know, from the evidence the viewer may see.
        "known": known_topics(request.user, person),
        "following": Follow.objects.filter(follower_id=request.user.pk, person=person).exists(),
    })


@page(GET_POST)
def me(request: HttpRequest) -> HttpResponse:
    person = _signed_in(request)
    initial = {
        name: getattr(person, name) for name in (
            "display_name", "title", "department", "team", "location", "bio",
            "open_to_mentoring", "opt_out_harvest", "opt_out_analytics", "share_impact",
            "accept_routed_questions", "routed_questions_per_week",
        )
    }
    initial["skills"] = [t.name for t in person.skills.all()]
    form = forms.ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = dict(form.cleaned_data)
            if fields["routed_questions_per_week"] is None:
                del fields["routed_questions_per_week"]  # left empty: the cap stays as it is
            try:
                do_update_profile(person, acting_user=request.user, **fields)
            except Invalid as exc:
                forms.add_invalid(form, exc)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("web:me")
        status = 400
    return render(request, "web/people/me.html", {"form": form, "person": person},
                  status=status)


@page(GET_POST)
def me_tokens(request: HttpRequest) -> HttpResponse:
    form = forms.TokenForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, secret = do_create_access_token(
                    acting_user=request.user, name=form.cleaned_data["name"]
                )
            except Invalid as exc:
                forms.add_invalid(form, exc)
                status = 400
            else:
                # Shown on this one response and never again: no redirect, nothing stored.
                form = forms.TokenForm()
        else:
            status = 400
    tokens = AccessToken.objects.filter(user_id=_signed_in(request).pk).order_by(
        "revoked_at", "-created_at"
    )
    return render(request, "web/people/tokens.html",
                  {"form": form, "tokens": tokens, "secret": secret}, status=status)


@page(POST)
def me_token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = AccessToken.objects.filter(pk=token_id, user_id=_signed_in(request).pk).first()
    if token is None:
        raise NotFound("No such token.")
    do_revoke_access_token(token, acting_user=request.user)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("web:tokens")


# Follows -------------------------------------------------------------------------------------


def _follow_target(request: HttpRequest, kind: str, key: str) -> tuple[dict[str, Any], str]:
    if kind == "person":
        person = access_person(request.user, key)
        return {"person": person}, reverse("web:person", args=[person.username])
    if kind == "space":
        space = access_space(request.user, key)
        return {"space": space}, reverse("web:space", args=[space.slug])
    topic = access_topic(request.user, key)
    return {"topic": topic}, reverse("web:topic", args=[topic.name])


def follow_view(kind: str, follow: bool) -> Any:
    """POST endpoint that follows or unfollows a person, space or topic."""

    @page(POST)
    def view(request: HttpRequest, key: str) -> HttpResponse:
        target, url = _follow_target(request, kind, key)
        try:
            if follow:
                do_follow(acting_user=request.user, **target)
            else:
                do_unfollow(acting_user=request.user, **target)
        except Invalid as exc:
            return _problem(request, exc, url)
        if _htmx(request):
            return render(request, "web/includes/follow_button.html", {
                "kind": kind, "key": key, "following": follow,
                "label": request.POST.get("label", ""),
            })
        return HttpResponseRedirect(_back(request, url))

    view.__name__ = f"{'follow' if follow else 'unfollow'}_{kind}"
    return view


# Search --------------------------------------------------------------------------------------


@page()
def search(request: HttpRequest) -> HttpResponse:
    """Everything the viewer may see that matches `q`, narrowed by the filters. A value the
    form cannot use is named on the page and left out; the search still runs."""
    # The space filter offers the viewer's own spaces (a big organization has thousands of
    # open ones), and the one asked for, when the viewer may see it.
    chosen = request.GET.get("space", "")[:120]
    spaces = visible_spaces(request.user).filter(
        Q(memberships__user_id=request.user.pk) | Q(slug=chosen)
    ).distinct().order_by("name")
    form = SearchForm(request.GET, spaces=spaces)
    form.is_valid()  # fills `errors`; the usable values are read one by one
    problems = form.problems()
    context: dict[str, Any] = {"form": form, "problems": problems}
    if form.people_only:
        # `kind=people`: the people found, a page at a time, and no posts.
        people = search_people(request.user, form.text, page=form.page_number,
                               limit=PEOPLE_PER_PAGE)
        if people.total and people.page > people.pages:
            problems.append(_no_such_page(people.page, people.pages))
        context.update(
            query=people.query, people=people, people_found=_with_topics(request, people),
            previous_link=_search_page_link(request, min(people.page - 1, people.pages))
            if people.has_previous else None,
            next_link=_search_page_link(request, people.page + 1) if people.has_next else None,
        )
    else:
        results = run_search(request.user, form.text, form.filters(), page=form.page_number,
                             order=form.ordering)
        if results.total and results.page > results.pages:
            problems.append(_no_such_page(results.page, results.pages))
        context.update(
            query=results.query, results=results,
            hits=[(hit, result_url(hit.entry)) for hit in results.hits],
            first_number=(results.page - 1) * results.per_page + 1,
            previous_link=_search_page_link(request, min(results.page - 1, results.pages))
            if results.has_previous else None,
            next_link=_search_page_link(request, results.page + 1) if results.has_next
            else None,
        )
        # The people who match come first on the first page, a few of them (Slack, Viva
        # Engage do the same): finding the person is often the answer.
        if form.with_people and results.page == 1:
            people = search_people(request.user, form.text, limit=PEOPLE_SHOWN)
            context.update(people=people, people_found=_with_topics(request, people),
                           all_people_link=_people_link(request))
    # An HTMX filter change swaps the results only; a history restore wants the whole page.
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not getattr(htmx, "history_restore_request", False)
    context["partial"] = partial
    response = render(request, "web/_search_results.html" if partial else "web/search.html",
                      context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _with_topics(request: HttpRequest, people: PeopleResults) -> list[tuple[User, list[Any]]]:
    """Each person found, with the topics they know about (as their profile says)."""
    known = knows_about(request.user, people.people)
    return [(person, known[person.pk]) for person in people.people]


def _no_such_page(page: int, pages: int) -> str:
    return f"There is no page {page}: these results fill {pages} page{'s' if pages > 1 else ''}."


def _people_link(request: HttpRequest) -> str:
    """`?q=...&kind=people`: every person the words find."""
    params = QueryDict(mutable=True)
    params["q"] = request.GET.get("q", "")
    params["kind"] = PEOPLE
    return "?" + params.urlencode()


def _search_page_link(request: HttpRequest, number: int) -> str:
    """`?...&page=N`, keeping the words and the filters."""
    params = request.GET.copy()
    params["page"] = str(max(1, number))
    return "?" + params.urlencode()


# Notifications -----------------------------------------------------------------------------


@page()
def notifications(request: HttpRequest) -> HttpResponse:
    items = Notification.objects.filter(recipient_id=request.user.pk).select_related(
        "actor", "post", "post__question", "space"
    ).annotate(
        # Someone who left a private space keeps the notification but no longer sees the post.
        post_visible=Exists(visible_posts(request.user).filter(pk=OuterRef("post_id"))),
        space_visible=Exists(visible_spaces(request.user).filter(pk=OuterRef("space_id"))),
    )
    listing = keyset_page(items, ("-created_at", "-id"), request.GET, size=30)
    return render(request, "web/notifications.html", {"page": listing})


@page(POST)
def notifications_read(request: HttpRequest) -> HttpResponse:
    raw = request.POST.getlist("id")
    ids = [int(i) for i in raw if i.isdigit() and len(i) < 19] if raw else None
    do_mark_notifications_read(request.user, ids)
    return redirect(_back(request, reverse("web:notifications")))


# Status (administrators) ---------------------------------------------------------------------


@page()
def status(request: HttpRequest) -> HttpResponse:
    """How Waggle runs: the search engine and index, imports. Administrators only (others get
    the same 404 as a missing page); counts only, nothing about any person."""
    if not request.user.is_staff:
        raise NotFound("No such page.")
    return render(request, "web/status.html", {
        "search": search_status(),
        "imports": ImportRun.objects.order_by("-started_at")[:10],
    })
