"""OSV range semantics, and real npm / Go advisories (tests/fixtures/osv) evaluated the same way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from guard.advisories.matching import RangeError, affects, fixed_versions, matching, smallest_fix
from guard.advisories.model import Advisory, AdvisoryFormatError
from guard.advisories.versions import normalize_name, parse_version
from guard.scanners.deps import merge_aliases

OSV = Path(__file__).resolve().parents[1] / "fixtures" / "osv"


def record(events: list[dict[str, str]], versions: list[str] | None = None, ecosystem: str = "PyPI",
           name: str = "demo", ident: str = "TEST-1", rtype: str = "ECOSYSTEM", **extra: Any) -> Advisory:
    doc = {
        "id": ident, "modified": "2024-01-01T00:00:00Z",
        "affected": [{"package": {"ecosystem": ecosystem, "name": name},
                      "ranges": [{"type": rtype, "events": events}], "versions": versions or []}],
        **extra,
    }
    return Advisory.from_osv(doc, "test")


def hit(adv: Advisory, version: str, ecosystem: str = "PyPI", name: str = "demo") -> bool:
    return any(affects(e, ecosystem, name, version) for e in adv.affected)


def load(*names: str) -> list[Advisory]:
    return [Advisory.from_osv(json.loads((OSV / n).read_text()), n) for n in names]


@pytest.mark.parametrize(("version", "expected"), [
    ("0.9", False), ("1.0", True), ("1.0.0", True), ("1.4.9", True), ("1.5", False), ("1.9", False),
    ("2.0rc1", False), ("2.0", True), ("2.3", True), ("2.3.1", False), ("3.0", False),
])
def test_introduced_fixed_and_last_affected(version: str, expected: bool) -> None:
    adv = record([{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}, {"last_affected": "2.3"}])
    assert hit(adv, version) is expected


def test_introduced_zero_and_limit() -> None:
    adv = record([{"introduced": "0"}, {"limit": "3.0"}])
    assert hit(adv, "0.0.1") and hit(adv, "2.9.9") and not hit(adv, "3.0") and not hit(adv, "4.0")


def test_open_ended_range_affects_everything_after() -> None:
    adv = record([{"introduced": "2.0"}])
    assert not hit(adv, "1.9") and hit(adv, "2.0") and hit(adv, "99.0")


def test_events_are_sorted_before_evaluation_and_fixed_closes_before_introduced_at_same_version() -> None:
    # Real shape of PYSEC-2022-236 (pyspark): <3.1.1, [3.1.1, 3.1.3), [3.2.0, 3.2.2) in scrambled order.
    adv = record([{"introduced": "0"}, {"fixed": "3.1.1"}, {"introduced": "3.2.0"}, {"fixed": "3.2.2"},
                  {"introduced": "3.1.1"}, {"fixed": "3.1.3"}])
    assert [hit(adv, v) for v in ("3.0.0", "3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2")] == [
        True, True, True, False, True, False]


def test_explicit_versions_list_and_equivalent_spellings() -> None:
    adv = record([], versions=["1.0", "weird-1"])
    assert hit(adv, "1.0") and hit(adv, "1.0.0") and hit(adv, "weird-1") and not hit(adv, "1.1")


def test_git_ranges_never_match_a_release() -> None:
    adv = record([{"introduced": "0"}, {"fixed": "a" * 40}], rtype="GIT")
    assert not hit(adv, "1.0")


def test_pep503_names() -> None:
    adv = record([{"introduced": "0"}], name="Zope.Interface_Extra")
    assert hit(adv, "1.0", name="zope-interface-extra") and hit(adv, "1.0", name="ZOPE_interface.extra")
    assert normalize_name("PyPI", "Foo__Bar..baz") == "foo-bar-baz"
    assert normalize_name("npm", "Foo") == "Foo"


def test_withdrawn_is_skipped() -> None:
    adv = record([{"introduced": "0"}], withdrawn="2024-02-02T00:00:00Z")
    assert hit(adv, "1.0") and matching([adv], "PyPI", "demo", "1.0") == []


def test_unparseable_dependency_version_only_matches_the_list() -> None:
    adv = record([{"introduced": "0"}], versions=["2013-01-21T20:33:09+0100"])
    assert hit(adv, "2013-01-21T20:33:09+0100") and not hit(adv, "not-a-version")


def test_broken_range_is_an_error_not_a_silent_miss() -> None:
    adv = record([{"introduced": "0"}, {"fixed": "not a version"}])
    with pytest.raises(RangeError, match="not a version"):
        hit(adv, "1.0")


@pytest.mark.parametrize("doc", [
    {"modified": "x"},
    {"id": "X-1"},
    {"id": "X-1", "modified": "x", "affected": {"package": {}}},
    {"id": "X-1", "modified": "x", "affected": [{"package": {"ecosystem": "PyPI"}}]},
    {"id": "X-1", "modified": "x", "affected": [{"package": {"ecosystem": "PyPI", "name": "a"},
                                                 "ranges": [{"type": "ECOSYSTEM", "events": [{"fixd": "1"}]}]}]},
])
def test_malformed_records_are_rejected_with_origin(doc: dict[str, Any]) -> None:
    with pytest.raises(AdvisoryFormatError, match=r"^somewhere\.json: "):
        Advisory.from_osv(doc, "somewhere.json")


# --- real npm advisories (lodash) ------------------------------------------------------------

LODASH = ("npm/GHSA-35jh-r3h4-6jhm.json", "npm/GHSA-29mw-wpgm-hmr9.json", "npm/GHSA-p6mc-m468-83gw.json")


@pytest.mark.parametrize(("version", "expected"), [
    ("3.6.0", {"GHSA-35jh-r3h4-6jhm"}),
    ("3.7.0", {"GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"}),
    ("3.10.1", {"GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"}),
    ("4.0.0", {"GHSA-35jh-r3h4-6jhm", "GHSA-29mw-wpgm-hmr9", "GHSA-p6mc-m468-83gw"}),
    ("4.17.15", {"GHSA-35jh-r3h4-6jhm", "GHSA-29mw-wpgm-hmr9", "GHSA-p6mc-m468-83gw"}),
    ("4.17.19", {"GHSA-35jh-r3h4-6jhm", "GHSA-29mw-wpgm-hmr9"}),
    ("4.17.20", {"GHSA-35jh-r3h4-6jhm", "GHSA-29mw-wpgm-hmr9"}),
    ("4.17.21", set()),
    ("4.17.22-beta.1", set()),
    ("5.0.0", set()),
])
def test_lodash(version: str, expected: set[str]) -> None:
    advisories = load(*LODASH)
    assert {a.id for a in matching(advisories, "npm", "lodash", version)} == expected
    assert smallest_fix(advisories, "npm", "lodash", version) == ("4.17.21" if expected else None)


def test_lodash_template_last_affected() -> None:
    (adv,) = load(LODASH[0])
    assert matching([adv], "npm", "lodash.template", "4.5.0") == [adv]
    assert matching([adv], "npm", "lodash.template", "4.5.1") == []
    assert fixed_versions(adv, "npm", "lodash.template") == []
    assert fixed_versions(adv, "npm", "lodash") == ["4.17.21"]


# --- real Go advisories (golang.org/x/text) ---------------------------------------------------

GO = ("go/GO-2021-0113.json", "go/GHSA-ppp9-7jff-5vj2.json", "go/GO-2022-1059.json", "go/GO-2020-0015.json")


@pytest.mark.parametrize(("version", "expected", "fix"), [
    ("v0.3.2", {"GO-2020-0015", "GO-2021-0113", "GHSA-ppp9-7jff-5vj2", "GO-2022-1059"}, "0.3.8"),
    ("v0.3.3", {"GO-2021-0113", "GHSA-ppp9-7jff-5vj2", "GO-2022-1059"}, "0.3.8"),
    ("v0.3.6", {"GO-2021-0113", "GHSA-ppp9-7jff-5vj2", "GO-2022-1059"}, "0.3.8"),
    ("v0.0.0-20210226172049-e18ecbb05110", {"GO-2020-0015", "GO-2021-0113", "GHSA-ppp9-7jff-5vj2", "GO-2022-1059"},
     "0.3.8"),
    ("v0.3.7", {"GO-2022-1059"}, "0.3.8"),
    ("v0.3.8", set(), None),
    ("v0.14.0", set(), None),
])
def test_golang_x_text(version: str, expected: set[str], fix: str | None) -> None:
    advisories = load(*GO)
    assert {a.id for a in matching(advisories, "Go", "golang.org/x/text", version)} == expected
    assert smallest_fix(advisories, "Go", "golang.org/x/text", version) == fix


def test_aliases_merge_into_one_vulnerability_with_the_database_record_as_canonical() -> None:
    advisories = load(*GO)
    groups = merge_aliases(matching(advisories, "Go", "golang.org/x/text", "v0.3.6"))
    assert [[a.id for a in g] for g in groups] == [["GO-2021-0113", "GHSA-ppp9-7jff-5vj2"], ["GO-2022-1059"]]


def test_go_incompatible_suffix_and_prefix() -> None:
    assert parse_version("Go", "v2.0.0+incompatible") == parse_version("Go", "2.0.0")
