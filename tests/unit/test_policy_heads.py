"""A set rule that builds its value in the head gives each binding's value, on regorus as on OPA."""

from __future__ import annotations

import pytest

from guard.config import PolicySettings
from guard.policy.base import PolicyError
from guard.policy.heads import bound_in_bodies
from guard.policy.loader import make_engine

RESOURCES = {"rs": [{"id": 1, "bad": True, "name": "a"}, {"id": 2, "bad": True}, {"id": 3, "bad": False, "name": "c"}]}
HEADS = '''package t

import rego.v1

# règles d'accès — “exemples” ✓ (regorus counts its spans in bytes)
deny contains {"msg": sprintf("%s is bad", [r.name]),
               "id": r.id} if {
	some r in input.rs
	r.bad
}

names contains upper(r.name) if some r in input.rs

constant contains "always" if input.rs

bound contains msg if {
	some r in input.rs
	msg := r.name
}
'''


@pytest.mark.parametrize("engine", ["regorus", "opa"])
@pytest.mark.parametrize("order", [(0, 1, 2), (1, 0, 2), (2, 1, 0)])
def test_a_binding_without_a_value_drops_its_value_alone(engine: str, order: tuple[int, ...]) -> None:
    """regorus, given the source as written, returned [] for the first order (every result dropped: the
    one binding whose value is undefined came last) and failed ("not an object") for the others."""
    eng = make_engine(engine, PolicySettings())
    eng.add_module("t.rego", HEADS)
    eng.prepare()
    doc = {"rs": [RESOURCES["rs"][i] for i in order]}
    assert eng.evaluate("data.t.deny", doc) == [{"msg": "a is bad", "id": 1}]
    assert sorted(eng.evaluate("data.t.names", doc)) == ["A", "C"]
    assert eng.evaluate("data.t.constant", doc) == ["always"]
    assert sorted(eng.evaluate("data.t.bound", doc)) == ["a", "c"]
    eng.close()


def test_only_rules_with_an_expression_in_the_head_change_and_lines_stay() -> None:
    rewritten = bound_in_bodies("t.rego", HEADS)
    assert rewritten.count("\n") == HEADS.count("\n")
    changed = [(a, b) for a, b in zip(HEADS.splitlines(), rewritten.splitlines()) if a != b]
    assert changed == [
        ('deny contains {"msg": sprintf("%s is bad", [r.name]),', "deny contains __guard_value"),
        ('               "id": r.id} if {', " if {"),
        ("}", '; __guard_value := {"msg": sprintf("%s is bad", [r.name]),                "id": r.id} }'),
        ("names contains upper(r.name) if some r in input.rs",
         "names contains __guard_value if { some r in input.rs; __guard_value := upper(r.name) }"),
    ]


def test_errors_name_the_line_as_written() -> None:
    source = HEADS + '''
later contains r.id if {
	some r in input.rs
	r.id == nosuch(r)
}
'''
    line = source.splitlines().index("\tr.id == nosuch(r)") + 1
    eng = make_engine("regorus", PolicySettings())
    eng.add_module("t.rego", source)
    with pytest.raises(PolicyError, match=rf"t\.rego:{line}:"):
        eng.prepare()
    eng.close()
