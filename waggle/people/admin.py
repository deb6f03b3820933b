"""Django admin for administrators: accounts, departments and teams (not content).

Content (posts, comments, value) is deliberately not registered: the admin site would bypass
the visibility gate, and administrators run Waggle, they do not read private spaces.
"""

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest

from waggle.core.errors import Invalid, NotAllowed
from waggle.people.actions import do_set_enabler
from waggle.people.models import Department, Team, User


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ("username", "display_name", "department", "is_guest", "is_enabler",
                    "is_staff", "is_active")
    list_filter = ("is_guest", "is_enabler", "is_staff", "is_active", "department")
    search_fields = ("username", "display_name", "email")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Profile", {"fields": ("display_name", "title", "department", "team", "location",
                                "bio", "open_to_mentoring", "is_guest")}),
        ("Privacy choices", {"fields": ("opt_out_harvest", "opt_out_analytics")}),
        ("Insights", {
            "fields": ("is_enabler",),
            "description": "Enablers (L&D, knowledge managers) see the organization-wide "
            "insights in aggregate: the help network between departments, value by space, "
            "topic and department. Never a per-person report.",
        }),
    )
    actions = ("make_enablers", "remove_enablers")

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm, change: bool) -> None:
        # The enabler role changes only through its audited action.
        wanted = obj.is_enabler
        if change and "is_enabler" in form.changed_data:
            obj.is_enabler = form.initial.get("is_enabler", False)
        super().save_model(request, obj, form, change)
        if change and "is_enabler" in form.changed_data:
            self._set_enabler(request, [obj], wanted)

    def _set_enabler(self, request: HttpRequest, people: Any, enabled: bool) -> None:
        done = 0
        for person in people:
            try:
                do_set_enabler(person, enabled, acting_user=request.user)
            except (Invalid, NotAllowed) as exc:
                self.message_user(request, f"{person.username}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            people_word = "person" if done == 1 else "people"
            self.message_user(
                request, f"Enabler role {'given to' if enabled else 'taken from'} {done} "
                f"{people_word}.", messages.SUCCESS)

    @admin.action(description="Make the selected people enablers")
    def make_enablers(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_enabler(request, queryset, True)

    @admin.action(description="The selected people are no longer enablers")
    def remove_enablers(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        self._set_enabler(request, queryset, False)


admin.site.register(Department)
admin.site.register(Team)
