"""App config for waggle.web."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "waggle.web"
    label = "web"
