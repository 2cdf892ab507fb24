"""Severity from CVSS vectors (computed by `cvss`), then the database label, then guard's default."""

from __future__ import annotations

from typing import Any

import pytest

from guard.advisories.model import Advisory
from guard.advisories.severity import cvss_score, rate, worst
from guard.model import Severity


def adv(**extra: Any) -> Advisory:
    return Advisory.from_osv({"id": "TEST-1", "modified": "2024-01-01T00:00:00Z", **extra}, "test")


@pytest.mark.parametrize(("kind", "vector", "score"), [
    ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
    ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H", 7.2),  # GHSA-35jh-r3h4-6jhm
    ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3),
    ("CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3),
    ("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5),
    ("CVSS_V3", "CVSS:3.1/garbage", None),
    ("Ubuntu", "high", None),
])
def test_cvss_scores(kind: str, vector: str, score: float | None) -> None:
    assert cvss_score(kind, vector) == score


def test_vector_wins_and_is_recorded() -> None:
    rating = rate(adv(severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H"}],
                      database_specific={"severity": "LOW"}))
    assert (rating.severity, rating.source, rating.score) == (Severity.HIGH, "advisory", 7.2)
    assert rating.vector and rating.vector.startswith("CVSS:3.1/")


def test_database_label_when_no_vector() -> None:
    assert rate(adv(database_specific={"severity": "MODERATE"})).severity is Severity.MEDIUM
    assert rate(adv(database_specific={"severity": "CRITICAL"})).source == "advisory"


def test_malformed_vector_falls_back_to_label_then_default() -> None:
    broken = [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:X"}]
    assert rate(adv(severity=broken, database_specific={"severity": "LOW"})).severity is Severity.LOW
    default = rate(adv(severity=broken))
    assert (default.severity, default.source, default.score) == (Severity.MEDIUM, "guard-default", None)


def test_worst_of_a_merged_group() -> None:
    low = rate(adv(database_specific={"severity": "LOW"}))
    default = rate(adv())
    critical = rate(adv(severity=[{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]))
    assert worst([low, default, critical]) is critical
    medium_label = rate(adv(database_specific={"severity": "MEDIUM"}))
    assert worst([default, medium_label]).source == "advisory"
