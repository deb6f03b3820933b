"""URL map: the web UI at /, the REST API at /api/, Django's admin at /admin/."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("waggle.api.urls")),
    path("", include("waggle.web.urls")),
]
