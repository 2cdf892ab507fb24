"""Severity of an advisory: CVSS base score from its vector (`cvss` package), else the database's label.

Order of preference: CVSS v3.x, CVSS v4, CVSS v2 (the highest score among vectors of the chosen
kind), then `database_specific.severity` (GHSA labels). An advisory with none of these gets
MEDIUM with source "guard-default", so it is neither hidden nor overstated.
"""

from __future__ import annotations

from dataclasses import dataclass

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from guard.advisories.model import Advisory
from guard.model import Severity

_LABELS = {
    "CRITICAL": Severity.CRITICAL,
    "HIGH": Severity.HIGH,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "LOW": Severity.LOW,
}


@dataclass(frozen=True, slots=True)
class Rating:
    severity: Severity
    source: str  # "advisory" | "guard-default"
    score: float | None = None  # CVSS base score when a vector gave it
    vector: str | None = None


def cvss_score(kind: str, vector: str) -> float | None:
    """Base score of a CVSS vector, or None when the vector is malformed or of an unknown kind."""
    try:
        if kind == "CVSS_V3":
            return float(CVSS3(vector).scores()[0])
        if kind == "CVSS_V4":
            return float(CVSS4(vector).base_score)
        if kind == "CVSS_V2":
            return float(CVSS2(vector).scores()[0])
    except (CVSSError, ValueError, KeyError, IndexError):
        return None
    return None


def rate(advisory: Advisory) -> Rating:
    for kind in ("CVSS_V3", "CVSS_V4", "CVSS_V2"):
        scored = [(s, v) for k, v in advisory.severity if k == kind for s in [cvss_score(k, v)] if s is not None]
        if scored:
            score, vector = max(scored)
            return Rating(Severity.from_score(score), "advisory", score, vector)
    label = (advisory.database_severity or "").upper()
    if label in _LABELS:
        return Rating(_LABELS[label], "advisory")
    return Rating(Severity.MEDIUM, "guard-default")


def worst(ratings: list[Rating]) -> Rating:
    """The most severe rating of a merged group (advisory-sourced beats the default on ties)."""
    return max(ratings, key=lambda r: (r.severity.rank, r.source == "advisory", r.score or 0.0))
