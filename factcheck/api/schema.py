"""The OpenAPI schema as the API really answers: drf-spectacular's AutoSchema, plus

- every error status an operation can give, each a shared response (``components/responses``)
  whose body is one declared error shape (``Error``: ``{"detail": …}``; ``FieldErrors``:
  ``{"field": ["message", …]}``), derived from what the operation is: its inputs, its method,
  its path parameters, its throttles and its version checks;
- anonymous access (``{}`` in ``security``) where reads are public;
- ``allowEmptyValue`` on optional query parameters (an empty value is the same as leaving it
  out, as the browsable API's filter form sends it);

and a postprocessing hook for the two shapes drf-spectacular writes that validators read
otherwise than it means (see ``truthful_shapes``).

The settings name the class (``REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]``) and the hook
(``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``). tests/conftest.py validates every API
response of the test suite against the result.
"""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework.permissions import SAFE_METHODS

# The error bodies: every error the API writes is one of these two (DRF's own shapes).
ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "description": "What went wrong, in a sentence. Some errors add fields (below).",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "FieldErrors": {
        "type": "object",
        "description": "Messages by input field (``non_field_errors`` for the whole input); a "
        "nested input's messages nest the same way.",
        "minProperties": 1,
        "additionalProperties": {
            "anyOf": [
                {
                    "type": "array",
                    "items": {
                        "anyOf": [{"type": "string"}, {"$ref": "#/components/schemas/FieldErrors"}]
                    },
                },
                {"$ref": "#/components/schemas/FieldErrors"},
            ]
        },
    },
}
ERROR = {"$ref": "#/components/schemas/Error"}
EITHER = {"anyOf": [ERROR, {"$ref": "#/components/schemas/FieldErrors"}]}


def with_fields(**properties) -> dict:
    """The ``Error`` shape with these further (optional) fields."""
    return {"allOf": [ERROR, {"type": "object", "properties": properties}]}


IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "schema": {"type": "string"},
    "description": "The ETag you hold: 304, no body, if it is still what you would get.",
}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before sending it again.",
        "schema": {"type": "integer", "minimum": 0},
    }
}

# status: (component name, description, body schema, headers)
ERRORS = {
    400: ("BadRequest", "The input is wrong: messages by field, or a `detail`.", EITHER, {}),
    403: (
        "Forbidden",
        "Not allowed: your role, or a missing or invalid session/token (the reason in `detail`).",
        ERROR,
        {},
    ),
    404: ("NotFound", "No such object, or not one you may see.", ERROR, {}),
    409: (
        "Conflict",
        "It conflicts with other data: a delete other records prevent, a duplicate, a decision "
        "on a claim that changed meanwhile (`current_claim_version`), a task that has ended.",
        with_fields(current_claim_version={"type": "integer"}),
        {},
    ),
    412: (
        "PreconditionFailed",
        "Someone changed it since you read it (`If-Match` or `version` is stale): reload.",
        with_fields(current_version={"type": "integer"}),
        {},
    ),
    413: (
        "ContentTooLarge",
        "The body is over the upload limit, or the article text over its limit.",
        EITHER,
        {},
    ),
    415: ("UnsupportedMediaType", "The body's Content-Type is not one listed.", ERROR, {}),
    429: ("TooManyRequests", "Over a rate limit, or too many failed sign-ins.", ERROR, RETRY_AFTER),
    503: (
        "ServiceUnavailable",
        "The database was busy with another write; nothing was changed. Send it again.",
        ERROR,
        {k: {**v, "required": True} for k, v in RETRY_AFTER.items()},
    ),
}


def error_response(status: int) -> dict:
    """The shared response for ``status``, as ``components/responses`` holds it."""
    _, description, body, headers = ERRORS[status]
    response = {"description": description, "content": {"application/json": {"schema": body}}}
    if headers:
        response["headers"] = headers
    return response


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for name, schema in ERROR_SCHEMAS.items():
            registry.register_on_missing(
                ResolvedComponent(name, ResolvedComponent.SCHEMA, schema=schema, object=name)
            )
        responses = operation["responses"]
        declared = {int(code) for code in responses if int(code) in ERRORS}
        for status in sorted(declared | self.error_statuses(operation)):
            name = ERRORS[status][0]
            registry.register_on_missing(
                ResolvedComponent(
                    name, ResolvedComponent.RESPONSE, schema=error_response(status), object=name
                )
            )
            ref = {"$ref": f"#/components/responses/{name}"}
            said = responses.get(str(status), {}).get("description")
            said = None if said in ("", "No response body") else said  # drf-spectacular's own
            # An operation's own word on what the status means there (OAS 3.1 lets a
            # reference carry its own description); the body is always the shared one.
            responses[str(status)] = {**ref, "description": said} if said else ref
        if self.method == "GET" and self.answers_with_etag():
            responses["304"] = {
                "description": "Not Modified: `If-None-Match` named the ETag of what you "
                "would get (no body)."
            }
            operation.setdefault("parameters", []).append(IF_NONE_MATCH)
        if self.method in ("POST", "PUT") and "requestBody" in operation:
            operation["requestBody"]["required"] = True  # (the import's too: no body, a 400)
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                parameter["allowEmptyValue"] = True
        return operation

    def answers_with_etag(self) -> bool:
        """Does this read carry an ETag (one object of a versioned kind)?"""
        return getattr(self.view, "action", None) == "retrieve" and (
            hasattr(self.view, "answer") or getattr(self.view, "etag_on_read", False)
        )

    def error_statuses(self, operation: dict) -> set[int]:
        """The error statuses this operation can answer, from what it is (an operation's
        ``extend_schema`` may name further ones, e.g. a task's 409)."""
        write = self.method not in SAFE_METHODS
        body = "requestBody" in operation
        query = any(p["in"] == "query" for p in operation.get("parameters", []))
        rows = hasattr(self.view, "get_queryset")  # a resource of the database's rows
        versioned = hasattr(self.view, "answer")  # ETag / If-Match, and the lifecycle table
        statuses = {403}  # an invalid token is refused everywhere; roles refuse writes
        if body or query or (write and versioned):
            statuses.add(400)  # (a step the lifecycle refuses is a 400 that says why)
        if "{" in self.path:
            statuses.add(404)
        if write:
            statuses.add(503)  # SQLite's write lock held past the busy timeout
        if write and rows:
            statuses.add(409)  # a delete other rows prevent, a duplicate
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.add(413)  # the body limit (factcheck.middleware), whatever the view
        if body:
            statuses.add(415)
        if write and versioned and self.method != "POST":
            statuses.add(412)
        if self.view.get_throttles():
            statuses.add(429)
        return statuses

    def get_auth(self):
        auths = super().get_auth()
        from factcheck.api.base import RolePermission

        public = any(isinstance(p, RolePermission) for p in self.view.get_permissions())
        if public and self.method in SAFE_METHODS and {} not in auths:
            auths.append({})  # RolePermission's reads are everyone's (scoped by visible_to)
        return auths


def truthful_shapes(result, generator, request, public):
    """What drf-spectacular writes that a validator reads otherwise than it means:

    a blank-able URL or e-mail is ``oneOf: [<format>, maxLength 0]``, which ``""`` matches
    twice (``format`` is only an annotation), so fails; say ``anyOf``.
    """

    def walk(node):
        if isinstance(node, dict):
            one_of = node.get("oneOf")
            if (
                isinstance(one_of, list)
                and len(one_of) == 2
                and one_of[1] == {"type": "string", "maxLength": 0}
            ):
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
