"""The OpenAPI document and the Swagger UI page, served from our own static files."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client


def test_openapi_document(db: Any) -> None:
    document = Client().get("/api/openapi.json").json()
    assert document["info"]["title"] == "Waggle API" and document["info"]["version"] == "1"
    schemes = document["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    assert "/api/posts" in document["paths"] and "/api/tokens/{prefix}" in document["paths"]
    # Anonymous questions document that they have no author.
    post = document["components"]["schemas"]["PostOut"]["properties"]
    assert "anonymous" in post["author"]["description"].lower()


def test_docs_page_loads_nothing_from_a_cdn(db: Any) -> None:
    client = Client()
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    # No address of another host anywhere (a CDN's or any other); looking for host names
    # instead failed now and then: the page's random CSRF token can spell "cdn".
    assert "://" not in html and '"//' not in html and "'//" not in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls, "the page references its assets"
    for url in urls:
        assert url.startswith("/"), f"{url} is not served by Waggle itself"
    # The assets are really there.
    for url in urls:
        if url.endswith((".js", ".css")):
            asset = client.get(url)
            assert asset.status_code == 200, url
            asset.close()
