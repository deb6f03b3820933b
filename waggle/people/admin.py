"""Django admin for administrators: accounts, departments and teams (not content).

Content (posts, comments, value) is deliberately not registered: the admin site would bypass
the visibility gate, and administrators run Waggle, they do not read private spaces.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from waggle.people.models import Department, Team, User


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ("username", "display_name", "department", "is_guest", "is_staff", "is_active")
    list_filter = ("is_guest", "is_staff", "is_active", "department")
    search_fields = ("username", "display_name", "email")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Profile", {"fields": ("display_name", "title", "department", "team", "location",
                                "bio", "open_to_mentoring", "is_guest")}),
        ("Privacy choices", {"fields": ("opt_out_harvest", "opt_out_analytics")}),
    )


admin.site.register(Department)
admin.site.register(Team)
