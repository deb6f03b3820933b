"""Bad input never gets a 5xx or an HTML page: a walk over the live OpenAPI document.

For every operation the document lists, the test sends, wherever the operation has the
input it targets: an oversized body (every operation), malformed JSON and a body of the wrong
shape (operations with a request body), a wrong type for each body field, query parameter
and path parameter, and unknown, huge (2**70) and negative ids (path parameters and id fields
of the body). Each answer must be a 4xx with a JSON `detail` message. An endpoint added later
is in the document, so it is covered without touching this file.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import pytest
from django.conf import settings

from tests.api.client import ApiClient
from waggle.exchange.actions import do_comment
from waggle.exchange.models import Post
from waggle.people.models import User

UNKNOWN_ID = 987_654_321
HUGE_ID = 2**70
NEGATIVE_ID = -1


@dataclass
class Probe:
    """One bad request and why it is bad."""

    why: str
    method: str
    path: str
    query: dict[str, Any] = field(default_factory=dict)
    body: Any = None  # str: sent as is; anything else: JSON-encoded; None: no body


class Schema:
    """Just enough of the OpenAPI document to find each operation's inputs."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in node:
            target: Any = self.document
            for part in node["$ref"].lstrip("#/").split("/"):
                target = target[part]
            node = target
        return node

    def variants(self, node: dict[str, Any]) -> list[dict[str, Any]]:
        """The non-null alternatives of a property's schema."""
        node = self.resolve(node)
        options = node.get("anyOf") or node.get("oneOf") or [node]
        return [self.resolve(o) for o in options if self.resolve(o).get("type") != "null"]

    def body_schema(self, operation: dict[str, Any]) -> dict[str, Any] | None:
        content = operation.get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            return None
        return self.resolve(content["application/json"]["schema"])


def wrong_values(options: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Values of the wrong type (or out of bounds) for a field with these schema options."""
    types = {o.get("type") for o in options}
    if types & {"integer", "number"}:
        yield "text for a number", "not-a-number"
        yield "a float for an integer", 1.5
    if "boolean" in types:
        yield "an object for a boolean", {"not": "a boolean"}
    if "array" in types:
        yield "text for a list", "not-a-list"
        yield "an object in a list", [{"not": "an item"}]
    if "object" in types:
        yield "a list for an object", ["not", "an object"]
    if "string" in types:
        if not types & {"integer", "number"}:
            yield "a number for text", 12345
        yield "a list for text", ["not", "text"]
        # PostgreSQL cannot store NUL; the API refuses it on every database alike.
        yield "a NUL character in text", "nul\x00text"
        for option in options:
            if "maxLength" in option:
                yield "text that is too long", "x" * (option["maxLength"] + 1)
            if "enum" in option:
                yield "a value outside the choices", "no-such-choice"


def wrong_query_values(options: list[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Query strings are always text: only what cannot parse as the declared type is wrong."""
    types = {o.get("type") for o in options}
    if types & {"integer", "number"}:
        yield "text for a number", "not-a-number"
        for option in options:
            if "maximum" in option:
                yield "a number over the maximum", option["maximum"] + 1
            if "minimum" in option:
                yield "a number under the minimum", option["minimum"] - 1
    if "boolean" in types:
        yield "text for a boolean", "perhaps"
    for option in options:
        if option.get("type") == "string" and "maxLength" in option:
            yield "text that is too long", "x" * (option["maxLength"] + 1)
        if "enum" in option:
            yield "a value outside the choices", "no-such-choice"


def sample(options: list[dict[str, Any]]) -> Any:
    """A valid value for a required field, so that only the probed field is wrong."""
    option = options[0] if options else {}
    if "enum" in option:
        return option["enum"][0]
    return {"integer": 1, "number": 1, "boolean": True, "array": [], "object": {}}.get(
        option.get("type", "string"), "A valid sample text"
    )


def is_id_field(name: str, options: list[dict[str, Any]]) -> bool:
    types = {o.get("type") for o in options}
    return (name.endswith("_id") and "integer" in types) or (name == "ids" and "array" in types)


def fill_path(
    template: str,
    path_params: dict[str, list[dict[str, Any]]],
    real: dict[str, Any],
    **values: Any,
) -> str:
    """The path with `values` where given, else real objects' ids and slugs."""
    filled = {}
    for name, options in path_params.items():
        is_int = any(o.get("type") == "integer" for o in options)
        fallback = real["_int"] if is_int else real["_str"]
        filled[name] = values.get(name, real.get(name, fallback))
    return template.format(**filled)


def probes(schema: Schema, real: dict[str, Any]) -> Iterator[Probe]:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    for template, operations in schema.document["paths"].items():
        for method, operation in operations.items():
            method = method.upper()
            params = operation.get("parameters", [])
            path_params = {
                p["name"]: schema.variants(p["schema"]) for p in params if p["in"] == "path"
            }
            query_params = {
                p["name"]: schema.variants(p["schema"]) for p in params if p["in"] == "query"
            }

            path_with = partial(fill_path, template, path_params, real)
            name = f"{method} {template}"
            yield Probe(
                f"{name}: oversized body",
                method,
                path_with(),
                body=json.dumps({"body": "x" * (limit + 10)}),
            )

            for param, opts in path_params.items():
                if any(o.get("type") == "integer" for o in opts):
                    yield Probe(
                        f"{name}: text for the id {param}",
                        method,
                        path_with(**{param: "not-a-number"}),
                    )
            for param, opts in query_params.items():
                for why, value in wrong_query_values(opts):
                    yield Probe(
                        f"{name}: {why} in ?{param}", method, path_with(), query={param: value}
                    )

            body = schema.body_schema(operation)
            props = {k: schema.variants(v) for k, v in (body or {}).get("properties", {}).items()}
            required = {k: sample(props[k]) for k in (body or {}).get("required", [])}
            if body is not None:
                yield Probe(f"{name}: malformed JSON", method, path_with(), body='{"title": ')
                yield Probe(f"{name}: a list for the body", method, path_with(), body=[1, 2])
                yield Probe(f"{name}: text for the body", method, path_with(), body='"text"')
                for prop, opts in props.items():
                    for why, value in wrong_values(opts):
                        yield Probe(
                            f"{name}: {why} in {prop}",
                            method,
                            path_with(),
                            body={**required, prop: value},
                        )

            # Ids: unknown ones must be a 404, out-of-range ones a 404 or 422; never a 500.
            id_fields = [k for k, opts in props.items() if is_id_field(k, opts)]
            for label, bad in (
                ("unknown", UNKNOWN_ID),
                ("huge", HUGE_ID),
                ("negative", NEGATIVE_ID),
            ):
                for param in path_params:
                    yield Probe(
                        f"{name}: {label} {param}",
                        method,
                        path_with(**{param: bad}),
                        body=required if body is not None else None,
                    )
                for prop in id_fields:
                    value = [bad] if prop == "ids" else bad
                    yield Probe(
                        f"{name}: {label} {prop}",
                        method,
                        path_with(),
                        body={**required, prop: value},
                    )


@pytest.fixture
def real_values(question: Post, answer: Post, other_member: User, member: User) -> dict[str, Any]:
    comment = do_comment(question, acting_user=other_member, body="A comment to probe")
    return {
        "post_id": question.pk,
        "comment_id": comment.pk,
        "slug": question.space.slug,
        "username": other_member.username,
        "name": "postgres",
        # Fallbacks for a path parameter this test does not know yet.
        "_int": question.pk,
        "_str": question.space.slug,
    }


def test_bad_input_is_always_a_4xx_with_a_json_message(
    member: User, real_values: dict[str, Any]
) -> None:
    api = ApiClient(member)
    real_values["prefix"] = api.token.split("_")[1]
    document = api.get("/api/openapi.json").json()
    failures = []
    sent = 0
    for probe in probes(Schema(document), real_values):
        path = probe.path
        if probe.query:
            path += "?" + "&".join(f"{k}={v}" for k, v in probe.query.items())
        response = api.request(probe.method, path, probe.body)
        sent += 1
        problem = None
        if not 400 <= response.status_code < 500:
            problem = f"status {response.status_code}"
        elif not response["Content-Type"].startswith("application/json"):
            problem = f"content type {response['Content-Type']}"
        else:
            detail = response.json().get("detail")
            if not isinstance(detail, str) or not detail:
                problem = f"no message: {response.content[:200]!r}"
        if problem:
            failures.append(f"{probe.why}: {problem}")
    assert not failures, "\n".join(failures)
    # The walk really covered the API (a broken walk must not pass by sending nothing).
    assert len(document["paths"]) >= 25 and sent > 300
    # Nothing got through: the probes were all refused before any write.
    assert api.get("/api/tokens").json()["items"][0]["revoked_at"] is None
