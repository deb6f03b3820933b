from django.apps import AppConfig


class GrowthConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "waggle.growth"
    label = "growth"
    verbose_name = "Growth"
