"""Shared base: audit log, errors, markdown rendering."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "waggle.core"
    label = "core"
    verbose_name = "Waggle core"
