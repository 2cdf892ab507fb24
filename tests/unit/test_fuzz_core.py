"""Property-based fuzzing of the parsers that read untrusted input: SARIF and config.

Each must either succeed or raise its own error type (which the CLI turns into exit 2 with a
message) — never crash with anything else. A longer, randomized run: GUARD_FUZZ_RANDOM=1 GUARD_FUZZ_EXAMPLES=20000 pytest -k fuzz.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guard.config import ConfigError, load
from guard.model import Category
from guard.sarif.read import SarifError, parse, results

EXAMPLES = int(os.environ.get("GUARD_FUZZ_EXAMPLES", "300"))
# Derandomized by default so a CI run is reproducible; GUARD_FUZZ_RANDOM=1 explores new inputs.
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not os.environ.get("GUARD_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.function_scoped_fixture])

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6), st.floats(allow_nan=False), st.text(max_size=30))
json_values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                            st.dictionaries(st.text(max_size=12), inner, max_size=5)),
                           max_leaves=30)
keys = st.sampled_from(["ruleId", "ruleIndex", "rule", "level", "message", "locations", "suppressions", "taxa",
                        "properties", "physicalLocation", "artifactLocation", "uri", "uriBaseId", "index", "region",
                        "startLine", "endLine", "text", "id", "tool", "driver", "rules", "extensions", "artifacts",
                        "originalUriBaseIds", "logicalLocations", "relationships", "target", "toolComponent"])
sarifish = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                          st.dictionaries(keys, inner, max_size=6)), max_leaves=60)


@FUZZ
@given(runs=st.lists(sarifish, max_size=3))
def test_fuzz_sarif_reader_never_crashes(runs, tmp_path_factory):
    root = tmp_path_factory.getbasetemp()
    try:
        doc = parse(json.dumps({"version": "2.1.0", "runs": runs}), "fuzz.sarif")
        for item in results(doc, root, category=Category.SAST):
            loc = item.finding.location
            assert loc is None or not (loc.path.startswith("/") or loc.path.startswith(".."))
    except SarifError:
        pass


@FUZZ
@given(text=st.text(max_size=200))
def test_fuzz_sarif_text_never_crashes(text):
    try:
        parse(text, "fuzz.sarif")
    except SarifError:
        pass


config_keys = st.sampled_from(["fail_on", "scanners", "timeout", "tools", "bandit", "path", "policies", "engine",
                               "waivers", "max_days", "exclude", "jobs", "soft_fail", "manual_controls", "x"])
config_docs = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                             st.dictionaries(config_keys, inner, max_size=5)),
                           max_leaves=25)


@FUZZ
@given(doc=config_docs)
def test_fuzz_config_loader_never_crashes(doc, tmp_path_factory):
    root = tmp_path_factory.mktemp("cfg")
    (root / ".guard.yaml").write_text(json.dumps(doc))  # JSON is YAML
    try:
        load(root, env={})
    except ConfigError as exc:
        assert ".guard.yaml" in str(exc)


@FUZZ
@given(text=st.text(max_size=300))
def test_fuzz_config_text_never_crashes(text, tmp_path_factory):
    root: Path = tmp_path_factory.mktemp("cfgt")
    (root / ".guard.yaml").write_text(text)
    try:
        load(root, env={})
    except ConfigError as exc:
        assert ".guard.yaml" in str(exc)
