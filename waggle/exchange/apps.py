"""App config for waggle.exchange."""

from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "waggle.exchange"
    label = "exchange"
