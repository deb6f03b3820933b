"""Topics: the #tags that connect posts, people's skills, follows and (later) expertise."""

from __future__ import annotations

from django.db import models


class Topic(models.Model):
    """A subject people share knowledge about; `name` is the normalized #tag."""

    name = models.SlugField(max_length=50, unique=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"#{self.name}"
