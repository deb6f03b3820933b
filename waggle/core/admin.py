"""The audit log in Django's admin, read-only: the one place an anonymous asker is recorded."""

from django.contrib import admin
from django.http import HttpRequest

from waggle.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_id")
    list_filter = ("action", "target_type")
    search_fields = ("actor__username", "action")
    readonly_fields = ("created_at", "actor", "action", "target_type", "target_id", "data")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
