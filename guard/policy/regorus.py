"""The embedded default engine: regorus (Rust, Rego v1), from the `gordon-to-regorus` wheel.

Results are read as JSON (`eval_rule_as_json`; native conversion breaks on sets of objects) and an
undefined rule comes back as the string "<undefined>". A set rule that builds its value in the head
is loaded with that value bound in its body instead (`heads`). regorus compiles lazily and only reports an
unknown function when a rule reaches it, so `prepare` checks every call in every module at load.
The engine is bound to the thread that created it.
"""

from __future__ import annotations

import json
import os
from importlib import metadata
from typing import Any, Iterator, Mapping, Sequence

from guard import jsonenc
from guard.policy.base import UNDEFINED, PolicyError
from guard.policy.heads import bound_in_bodies


def quiet_backtraces() -> None:
    """No Rust backtraces for regorus errors, unless the user asked for them.

    A Rust error captures a backtrace when RUST_BACKTRACE=1 (common on developers' machines): each regorus
    error, and `prepare` provokes one per built-in it probes, then takes ~15 ms instead of 0.03 ms, for a
    backtrace guard never shows. RUST_LIB_BACKTRACE governs errors' (not panics') backtraces and wins; Rust
    reads it once, at the first error.
    """
    os.environ.setdefault("RUST_LIB_BACKTRACE", "0")


quiet_backtraces()

import regorus  # noqa: E402  (after RUST_LIB_BACKTRACE is set)

_UNDEFINED_TEXT = "<undefined>"


class RegorusEngine:
    name = "regorus"

    def __init__(self) -> None:
        self._engine = regorus.Engine()
        self._input_obj: Any = None  # the input last set (same object: not serialized again)
        self._builtins: dict[str, bool] = {}  # name -> whether the engine has that built-in
        self._probe: Any = None  # an engine without modules, to ask about built-ins

    def version(self) -> str:
        return f"regorus {metadata.version('gordon-to-regorus')}"

    def add_module(self, path: str, source: str) -> None:
        try:
            self._engine.add_policy(path, bound_in_bodies(path, source))
        except RuntimeError as exc:
            raise PolicyError(_message(exc)) from None

    def add_data(self, data: Mapping[str, Any]) -> None:
        try:
            self._engine.add_data_json(json.dumps(data))
        except RuntimeError as exc:
            raise PolicyError(f"data document rejected: {_message(exc)}") from None

    def prepare(self, checked: bool = False) -> None:
        if checked:
            return  # regorus compiles lazily: preparing only checks the calls
        try:
            modules = jsonenc.loads(self._engine.get_ast_as_json())
        except RuntimeError as exc:
            raise PolicyError(_message(exc)) from None
        functions = {f for module in modules for f in _defined_functions(module["ast"])}
        for module in modules:
            self._check_calls(module, functions)

    def load_input(self, input: Any) -> None:
        if input is not self._input_obj:
            try:
                self._engine.set_input_json(jsonenc.dumps(input).decode("utf-8"))
            except RuntimeError as exc:
                raise PolicyError(_message(exc)) from None
            self._input_obj = input

    def evaluate(self, ref: str, input: Any) -> Any:
        return self.decode(self.evaluate_text(ref, input))

    def evaluate_text(self, ref: str, input: Any) -> str:
        self.load_input(input)
        try:
            return self._engine.eval_rule_as_json(ref)
        except RuntimeError as exc:
            raise PolicyError(_message(exc)) from None

    def decode(self, text: str) -> Any:
        value = jsonenc.loads(text)
        return UNDEFINED if value == _UNDEFINED_TEXT else value

    def evaluate_many(self, refs: Sequence[str], input: Any) -> list[Any]:
        return [self.evaluate(ref, input) for ref in refs]

    def close(self) -> None:
        self._engine = self._probe = None  # type: ignore[assignment]

    # -- load-time check of function calls ---------------------------------------------------

    def _check_calls(self, module: Mapping[str, Any], functions: set[str]) -> None:
        ast = module["ast"]
        package = _ref_name(ast["package"]["refr"])
        contents = module["source"]["contents"]
        aliases = dict(_import_alias(i, contents) for i in ast.get("imports", []))
        path = module["source"]["file"]
        for name, span in _calls(ast):
            head, _, rest = name.partition(".")
            if head in aliases and rest:
                name = f"{aliases[head]}.{rest}"
            if name.startswith("data."):
                if name[5:] not in functions:
                    raise PolicyError(f"{path}:{span['line']}:{span['col']}: unknown function {name}")
            elif f"{package}.{name}" not in functions and not self._builtin_exists(name):
                raise PolicyError(f"{path}:{span['line']}:{span['col']}: unknown function {name}")

    def _builtin_exists(self, name: str) -> bool:
        """Asked of an engine without modules: a query on the loaded one compiles the whole pack first
        (5 ms a probe with guard's pack, 0.05 ms without)."""
        known = self._builtins.get(name)
        if known is None:
            if self._probe is None:
                self._probe = regorus.Engine()
            try:
                self._probe.eval_query_as_json(f"__guard_probe := {name}(null)")
                known = True
            except RuntimeError as exc:
                known = "could not find function" not in str(exc)
            self._builtins[name] = known
        return known


def _message(exc: BaseException) -> str:
    """regorus errors look like "\\n--> file:3:5\\n  |\\n3 | code\\n  | ^\\nerror: text"."""
    text = str(exc).strip()
    where = next((ln.strip()[4:] for ln in text.splitlines() if ln.strip().startswith("-->")), "")
    detail = next((ln.strip() for ln in reversed(text.splitlines()) if ln.strip().startswith("error:")), text)
    return f"{where}: {detail}" if where else detail


def _ref_name(node: Mapping[str, Any]) -> str:
    """Dotted name of a Var/RefDot chain, or "" if it is anything else."""
    if "Var" in node:
        return node["Var"]["value"]
    if "RefDot" in node:
        base = _ref_name(node["RefDot"]["refr"])
        return f"{base}.{node['RefDot']['field'][1]}" if base else ""
    return ""


def _import_alias(node: Mapping[str, Any], contents: str) -> tuple[str, str]:
    """(alias, imported ref) of an import; the alias span points into the module text."""
    ref = _ref_name(node["refr"])
    span = node.get("as")
    alias = contents[span["start"]:span["end"]] if span else ref.split(".")[-1]
    return alias, ref


def _defined_functions(ast: Mapping[str, Any]) -> Iterator[str]:
    package = _ref_name(ast["package"]["refr"])
    for rule in ast.get("rules", []):
        head = rule.get("Spec", {}).get("head", {})
        if "Func" in head:
            yield f"{package}.{_ref_name(head['Func']['refr'])}"


def _calls(root: Any) -> list[tuple[str, Mapping[str, Any]]]:
    """(function name, span) of every call in an AST, in source order."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if type(node) is dict:
            call = node.get("Call")
            if call is not None:
                name = _ref_name(call["fcn"])
                if name:
                    out.append((name, call["span"]))
            stack.extend(v for v in node.values() if type(v) in (dict, list))
        elif type(node) is list:
            stack.extend(node)
    out.sort(key=lambda c: (c[1]["line"], c[1]["col"]))
    return out
