"""App config for waggle.people."""

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "waggle.people"
    label = "people"
