"""App config for waggle.spaces."""

from django.apps import AppConfig


class SpacesConfig(AppConfig):
    name = "waggle.spaces"
    label = "spaces"
