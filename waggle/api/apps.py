"""App config for waggle.api."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "waggle.api"
    label = "api"
