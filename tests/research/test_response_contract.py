"""Validating a live body against the spec: pointers, undeclared answers, recursive schemas."""

from __future__ import annotations

from gacheck.collectors.openapi.load import Document
from gacheck.collectors.openapi.validate import ResponseContract, ResponseRule

TREE = {
    "openapi": "3.1.0",
    "paths": {"/v1/nodes/{id}": {"get": {"responses": {"200": {
        "description": "a node",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Node"}}}}}}}},
    "components": {"schemas": {"Node": {
        "type": "object", "required": ["name"],
        "properties": {"name": {"type": "string"},
                       "children": {"type": "array",
                                    "items": {"$ref": "#/components/schemas/Node"}}}}}},
}


def contract() -> ResponseContract:
    doc = Document("spec.json", TREE, "")
    return ResponseContract([doc], lambda location: doc)


def test_a_recursive_schema_resolves_and_pointers_name_the_drift() -> None:
    rule = contract().rule("GET", "/v1/nodes/7", 200)
    assert isinstance(rule, ResponseRule)
    body = {"name": "root", "children": [{"name": 3}, {"name": "ok", "children": []}]}
    drifts = ResponseContract.validate(rule, body)
    assert [(d.pointer, d.spec) for d in drifts] == [
        ("/children/0/name", "spec.json#/paths/~1v1~1nodes~1{id}/get/responses/200")]
    assert ResponseContract.validate(rule, {"name": "root", "children": []}) == []


def test_undeclared_operations_and_statuses_are_named() -> None:
    assert contract().rule("POST", "/v1/nodes/7", 200) == "POST /v1/nodes/7 is not declared " \
        "in the spec"
    assert contract().rule("GET", "/v1/nodes/7", 404) == "status 404 is not declared for " \
        "GET /v1/nodes/7"
    assert not contract().declares("GET", "/v1/other")
