"""A JSON test client for the API that authenticates with a real personal access token."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from waggle.api.actions import do_create_access_token
from waggle.people.models import User


class ApiClient:
    """A test client that speaks JSON and sends `Authorization: Bearer <token>`."""

    def __init__(self, user: User | None, *, token: str | None = None) -> None:
        self.user = user
        self.token = token
        if user is not None and token is None:
            _, self.token = do_create_access_token(acting_user=user, name="tests")
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        self.client = Client(headers=headers)

    def request(self, method: str, path: str, body: Any = None, **extra: Any) -> Any:
        if body is None:
            return self.client.generic(method, path, **extra)
        data = body if isinstance(body, (str, bytes)) else json.dumps(body)
        return self.client.generic(method, path, data, content_type="application/json", **extra)

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, params or {})

    def post(self, path: str, body: Any = None) -> Any:
        return self.request("POST", path, body if body is not None else {})

    def put(self, path: str, body: Any = None) -> Any:
        return self.request("PUT", path, body if body is not None else {})

    def patch(self, path: str, body: Any = None) -> Any:
        return self.request("PATCH", path, body if body is not None else {})

    def delete(self, path: str, params: dict[str, Any] | None = None) -> Any:
        query = "&".join(f"{k}={v}" for k, v in (params or {}).items())
        return self.request("DELETE", f"{path}?{query}" if query else path)


def api_for(user: User | None) -> ApiClient:
    return ApiClient(user)
