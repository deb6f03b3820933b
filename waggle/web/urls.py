"""URL map of the web UI (other parts link to these paths: keep them stable)."""

from __future__ import annotations

from django.urls import path

from waggle.web import expertise_views, insights_views, views

app_name = "web"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("", views.home, name="home"),
    # Spaces
    path("spaces/", views.space_list, name="spaces"),
    path("spaces/new/", views.space_new, name="space_new"),
    path("spaces/<slug:slug>/", views.space_detail, name="space"),
    path("spaces/<slug:slug>/join/", views.space_join, name="space_join"),
    path("spaces/<slug:slug>/leave/", views.space_leave, name="space_leave"),
    path("spaces/<slug:slug>/invite/", views.space_invite, name="space_invite"),
    path("spaces/<slug:key>/follow/", views.follow_view("space", True), name="space_follow"),
    path("spaces/<slug:key>/unfollow/", views.follow_view("space", False),
         name="space_unfollow"),
    path("spaces/<slug:slug>/ask/", views.space_ask, name="space_ask"),
    path("spaces/<slug:slug>/update/", views.space_update, name="space_update"),
    path("spaces/<slug:slug>/lesson/", views.space_lesson, name="space_lesson"),
    path("spaces/<slug:slug>/unanswered/", expertise_views.space_unanswered,
         name="space_unanswered"),
    path("spaces/<slug:slug>/health/", insights_views.space_health_page, name="space_health"),
    path("spaces/<slug:slug>/health/invite/", insights_views.space_health_invite,
         name="space_health_invite"),
    path("invitations/", views.invitations, name="invitations"),
    path("invitations/<int:invitation_id>/accept/", views.invitation_respond,
         {"answer": "accept"}, name="invitation_accept"),
    path("invitations/<int:invitation_id>/decline/", views.invitation_respond,
         {"answer": "decline"}, name="invitation_decline"),
    # Posts
    path("ask/", views.ask, name="ask"),
    path("status/", views.status, name="status"),
    path("ask/similar/", views.ask_similar, name="ask_similar"),
    path("posts/<int:post_id>/", views.post_detail, name="post"),
    path("posts/<int:post_id>/edit/", views.post_edit, name="post_edit"),
    path("posts/<int:post_id>/answer/", views.post_answer, name="post_answer"),
    path("posts/<int:post_id>/accept/<int:answer_id>/", views.post_accept, name="post_accept"),
    path("posts/<int:post_id>/unaccept/", views.post_accept, name="post_unaccept"),
    path("posts/<int:post_id>/comment/", views.post_comment, name="post_comment"),
    path("posts/<int:post_id>/duplicate/", views.post_duplicate, name="post_duplicate"),
    path("posts/<int:post_id>/offer/", expertise_views.question_offer, name="question_offer"),
    path("posts/<int:post_id>/value/", views.post_value, name="post_value"),
    path("posts/<int:post_id>/kudos/", views.post_kudos, name="post_kudos"),
    path("comments/<int:comment_id>/value/", views.comment_value, name="comment_value"),
    path("comments/<int:comment_id>/kudos/", views.comment_kudos, name="comment_kudos"),
    # Topics
    path("topics/", views.topic_list, name="topics"),
    path("topics/<str:name>/", views.topic_detail, name="topic"),
    path("topics/<str:key>/follow/", views.follow_view("topic", True), name="topic_follow"),
    path("topics/<str:key>/unfollow/", views.follow_view("topic", False),
         name="topic_unfollow"),
    # People
    path("people/", views.people_list, name="people"),
    path("people/<str:username>/", views.person_detail, name="person"),
    path("people/<str:key>/follow/", views.follow_view("person", True), name="person_follow"),
    path("people/<str:key>/unfollow/", views.follow_view("person", False),
         name="person_unfollow"),
    path("me/", views.me, name="me"),
    path("me/tokens/", views.me_tokens, name="tokens"),
    path("me/tokens/<int:token_id>/revoke/", views.me_token_revoke, name="token_revoke"),
    # Expertise: who knows, questions Waggle asked you to help with
    path("who-knows/", expertise_views.who_knows_page, name="who_knows"),
    path("me/questions/", expertise_views.questions_for_me, name="questions_for_me"),
    path("me/questions/<int:invitation_id>/decline/", expertise_views.invitation_decline,
         name="question_decline"),
    # Growth: learning goals and mentoring (a person's own; everyone else gets 404)
    path("me/goals/", expertise_views.goals, name="goals"),
    path("me/goals/<int:goal_id>/", expertise_views.goal_detail, name="goal"),
    path("me/goals/<int:goal_id>/reached/", expertise_views.goal_reached, name="goal_reached"),
    path("me/goals/<int:goal_id>/mentoring/", expertise_views.goal_request_mentoring,
         name="goal_request_mentoring"),
    path("me/mentoring/", expertise_views.mentoring, name="mentoring"),
    path("me/mentoring/<int:request_id>/accept/", expertise_views.mentoring_respond("accept"),
         name="mentoring_accept"),
    path("me/mentoring/<int:request_id>/decline/", expertise_views.mentoring_respond("decline"),
         name="mentoring_decline"),
    path("me/mentoring/<int:request_id>/withdraw/",
         expertise_views.mentoring_respond("withdraw"), name="mentoring_withdraw"),
    # Insights: the organization's (enablers), a person's own (introductions, impact)
    path("insights/", insights_views.organization, name="insights"),
    path("me/introductions/", insights_views.introductions, name="introductions"),
    path("me/impact/", insights_views.my_impact, name="my_impact"),
    # Search
    path("search/", views.search, name="search"),
    # Notifications
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
