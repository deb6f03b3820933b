from django.apps import AppConfig


class SearchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "waggle.search"
    label = "search"
    verbose_name = "Search"
