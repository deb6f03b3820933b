"""App config for waggle.topics."""

from django.apps import AppConfig


class TopicsConfig(AppConfig):
    name = "waggle.topics"
    label = "topics"
