"""The real OPA engine in-process, from `opa-golib-python-bindings` (optional backend).

Install: `pip install --ignore-requires-python opa-golib-python-bindings==0.4.4` (its metadata
says Python >= 3.14; it runs on 3.11). OPA type-checks every module when a query is prepared, so
`prepare` evaluates once to surface syntax, type and unknown-function errors at load.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any, Mapping, Sequence

from guard.policy.base import UNDEFINED, PolicyError

try:
    import opa_bindings
except ImportError:  # pragma: no cover - depends on the optional install
    opa_bindings = None


class OpaEngine:
    name = "opa"

    def __init__(self) -> None:
        if opa_bindings is None:
            raise PolicyError("engine `opa` needs opa-golib-python-bindings: "
                              "pip install --ignore-requires-python opa-golib-python-bindings==0.4.4")
        self._engine = opa_bindings.OpaEngine()
        self._engine.print_handler = lambda message, location: None

    def version(self) -> str:
        return f"opa-golib-python-bindings {metadata.version('opa-golib-python-bindings')}"

    def add_module(self, path: str, source: str) -> None:
        try:
            self._engine.add_policy(path, source)
        except opa_bindings.OpaError as exc:
            raise PolicyError(_message(exc)) from None

    def add_data(self, data: Mapping[str, Any]) -> None:
        try:
            self._engine.add_data(dict(data))
        except opa_bindings.OpaError as exc:
            raise PolicyError(f"data document rejected: {_message(exc)}") from None

    def prepare(self, checked: bool = False) -> None:
        self.evaluate("data.guard.__prepare", {})

    def evaluate(self, ref: str, input: Any) -> Any:
        path = ref[len("data."):] if ref.startswith("data.") else ref
        try:
            return self._engine.eval_document(path, input)
        except opa_bindings.OpaUndefinedError:
            return UNDEFINED
        except opa_bindings.OpaError as exc:
            raise PolicyError(_message(exc)) from None

    def load_input(self, input: Any) -> None:
        """Nothing to do: the input goes with each query."""

    def evaluate_many(self, refs: Sequence[str], input: Any) -> list[Any]:
        """One query for all refs: OPA prepares (compiles) once per distinct query string."""
        if not refs:
            return []
        query = "; ".join(f"r{i} := [x | x := {ref}]" for i, ref in enumerate(refs))
        try:
            rows = self._engine.eval_query(query, input)
        except opa_bindings.OpaError as exc:
            raise PolicyError(_message(exc)) from None
        if not rows:
            raise PolicyError(f"opa: batched query returned no result for {len(refs)} rules")
        return [rows[0][f"r{i}"][0] if rows[0][f"r{i}"] else UNDEFINED for i in range(len(refs))]

    def close(self) -> None:
        self._engine.close()


def _message(exc: Any) -> str:
    """OPA says "code: 1 error occurred: file:3: rego_type_error: text"; keep from the file on."""
    text = " ".join(getattr(exc, "message", str(exc)).split())
    return text.split("error occurred: ", 1)[-1].split("errors occurred: ", 1)[-1]
