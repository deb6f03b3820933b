"""App config for waggle.notify."""

from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "waggle.notify"
    label = "notify"
