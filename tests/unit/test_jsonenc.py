"""Compact JSON for large outputs: orjson, with the standard encoder for what orjson refuses."""

from __future__ import annotations

import json
from enum import Enum

from guard import jsonenc


class Colour(Enum):
    RED = "red"


def test_plain_documents_round_trip_compact_and_utf8() -> None:
    doc = {"findings": [{"path": "src/café.py", "line": 3, "cwe": ["CWE-89"], "score": 7.5, "ok": None}]}
    out = jsonenc.dumps(doc)
    assert isinstance(out, bytes) and b" " not in out.replace("café".encode(), b"")
    assert "café".encode() in out and json.loads(out) == doc


def test_what_orjson_refuses_is_still_written() -> None:
    lone_surrogate = {"message": "bad \udc80 byte from a tool"}
    assert json.loads(jsonenc.dumps(lone_surrogate)) == lone_surrogate
    huge = {"count": 2**70}
    assert json.loads(jsonenc.dumps(huge)) == huge
    int_keys = {1: "one"}
    assert json.loads(jsonenc.dumps(int_keys)) == {"1": "one"}


def test_values_without_a_json_type_become_their_str() -> None:
    assert json.loads(jsonenc.dumps({"when": frozenset([3]), "colour": Colour.RED})) == {
        "when": "frozenset({3})", "colour": "red"}
