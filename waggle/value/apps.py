"""App config for waggle.value."""

from django.apps import AppConfig


class ValueConfig(AppConfig):
    name = "waggle.value"
    label = "value"
