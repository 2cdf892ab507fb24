"""Property-based fuzzing of the parsers not covered by tests/unit/test_fuzz_core.py (SARIF, config).

Waivers, Rego METADATA, every lockfile parser and the baseline: each either succeeds or raises its
own error type (which the CLI turns into a named error), never anything else.
CI runs GUARD_FUZZ_EXAMPLES (default 150) derandomized examples per test; a longer, random run:
    GUARD_FUZZ_RANDOM=1 GUARD_FUZZ_EXAMPLES=20000 python -m pytest -q tests/hardening/test_fuzz_parsers.py
A coverage-guided run of the same targets: tests/hardening/atheris/fuzz_parsers.py (see SECURITY.md).
"""

from __future__ import annotations

import datetime as dt
import json
import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guard.baseline import BaselineError
from guard.baseline import parse as parse_baseline
from guard.config import Config
from guard.lockfiles.base import LockfileError
from guard.lockfiles.registry import PARSERS, parser_for
from guard.policy.base import PolicyError
from guard.policy.metadata import parse_module
from guard.waivers import parse as parse_waivers

EXAMPLES = int(os.environ.get("GUARD_FUZZ_EXAMPLES", "150"))
# Derandomized by default so a CI run is reproducible; GUARD_FUZZ_RANDOM=1 explores new inputs.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("GUARD_FUZZ_RANDOM"),
                suppress_health_check=list(HealthCheck))
TODAY = dt.date(2026, 6, 1)

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**12), st.floats(allow_nan=False),
                    st.text(max_size=20), st.sampled_from(["2026-01-01", "2099-12-31", "not-a-date", "*", "**/*.py",
                                                           "1.0.0", "^1.2", "v0.0.0-2020", "high", "soc2"]))


def tree(keys):
    return st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                         st.dictionaries(keys, inner, max_size=6)), max_leaves=40)


WAIVER_KEYS = st.sampled_from(["waivers", "id", "rule", "fingerprint", "paths", "path", "reason", "owner", "expires",
                               "resource", "tool", "version", "x"])
META_KEYS = st.sampled_from(["title", "description", "scope", "custom", "id", "severity", "controls", "soc2",
                             "pci-dss", "kind", "schemas", "entrypoint", "related_resources", "authors", "x"])
LOCK_KEYS = st.sampled_from(["lockfileVersion", "packages", "dependencies", "version", "resolved", "integrity",
                             "node_modules/a", "", "name", "dev", "optional", "requires", "default", "develop",
                             "_meta", "package", "components", "purl", "bomFormat", "specVersion", "importers",
                             "specifiers", "source", "a@1.0.0", "/a@1.0.0", "link:../x", "metadata"])


def as_yaml(value) -> str:
    return yaml.safe_dump(value, default_flow_style=False, allow_unicode=True)


@FUZZ
@given(doc=tree(WAIVER_KEYS), raw=st.text(max_size=200), structured=st.booleans())
def test_fuzz_waiver_parser(doc, raw, structured):
    text = as_yaml({"waivers": doc} if isinstance(doc, list) else doc) if structured else raw
    parse_waivers(text, ".guard-waivers.yaml", Config(), TODAY)  # problems are reported, never raised


@FUZZ
@given(meta=tree(META_KEYS), raw=st.text(max_size=120), package=st.sampled_from(
    ["package guard.findings.x", "package guard.config.terraform.y", "package x", "", "package guard.findings.\u00e9"]),
    structured=st.booleans())
def test_fuzz_metadata_parser(meta, raw, package, structured):
    block = as_yaml(meta) if structured else raw
    comment = "".join(f"# {line}\n" for line in block.splitlines())
    source = f"# METADATA\n{comment}{package}\n\nimport rego.v1\n\ndeny contains x if x := 1\n"
    try:
        parse_module("fuzz.rego", source)
    except PolicyError as exc:
        assert "fuzz.rego" in str(exc)


LOCK_NAMES = sorted({p.patterns[0].replace("*", "x") for p in PARSERS})


@FUZZ
@given(name=st.sampled_from(LOCK_NAMES), doc=tree(LOCK_KEYS), raw=st.text(max_size=300),
       form=st.sampled_from(["json", "yaml", "raw", "lines"]))
def test_fuzz_lockfile_parsers(name, doc, raw, form, tmp_path_factory):
    parser = parser_for(name)
    assert parser is not None, name
    root = tmp_path_factory.mktemp("lock")
    text = {"json": lambda: json.dumps(doc), "yaml": lambda: as_yaml(doc), "raw": lambda: raw,
            "lines": lambda: "\n".join(f"{k}=={v}" if i % 2 else f"{k} {v} h1:{v}" for i, (k, v) in
                                       enumerate(zip(raw.split(), raw.split()[1:])))}[form]()
    (root / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        deps = list(parser.parse(root, name))
    except LockfileError:
        return
    for dep in deps:
        assert dep.name and isinstance(dep.version, str) and dep.path == name


@FUZZ
@given(doc=tree(st.sampled_from(["format", "version", "fingerprints", "findings", "entries", "tool", "rule_id",
                                 "fingerprint", "path", "created", "x"])), raw=st.text(max_size=200),
       structured=st.booleans())
def test_fuzz_baseline_parser(doc, raw, structured):
    if structured and isinstance(doc, dict):
        doc = {"format": "guard-baseline", "version": 1, **doc}
    try:
        parse_baseline(json.dumps(doc) if structured else raw, ".guard-baseline.json")
    except BaselineError:
        pass


def test_waiver_file_with_non_string_keys_is_a_problem_not_a_crash():
    """Found by the atheris harness: top-level keys of mixed types (`1: x` next to `a: y`)."""
    result = parse_waivers("1: x\na: y\n", ".guard-waivers.yaml", Config(), TODAY)
    assert result.problems and "unknown key" in result.problems[0]
