"""OSCAL assessment-results for a run or a period, validated with compliance-trestle's models.

One result per document: every assessed control gets an observation (method TEST, with a
`method: TEST-AUTOMATED` prop; manual evidence is EXAMINE) and a finding whose objective status
is satisfied or not-satisfied. Controls that were not assessed are listed in the remarks,
never reported as satisfied.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from typing import Any, Sequence

from trestle.oscal import OSCAL_VERSION
from trestle.oscal.assessment_results import AssessmentResults

from guard.model import ControlResult, ControlStatus

NS = "https://github.com/guard-scanner/guard/ns/oscal"
_UUID_NS = uuid.UUID("1d6d1f5e-5a3c-4c1e-9a53-7f2b8f3b7a10")


def control_token(framework: str, control_id: str) -> str:
    """An OSCAL token (letter first; letters, digits, '.', '-', '_') naming a framework control."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", f"{framework}_{control_id}")


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_UUID_NS, "\x1f".join(parts)))


def _prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": value}


def build(*, document_id: str, title: str, start: dt.datetime, end: dt.datetime, controls: Sequence[ControlResult],
          guard_version: str, evidence_href: str) -> dict[str, Any]:
    """The `{"assessment-results": ...}` document; raises pydantic.ValidationError if it is not valid OSCAL."""
    observations: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    not_assessed: list[str] = []
    for c in controls:
        token = control_token(c.framework, c.control_id)
        if c.status not in (ControlStatus.PASSED, ControlStatus.FAILED, ControlStatus.MANUAL):
            not_assessed.append(f"{c.framework} {c.control_id}")
            continue
        automated = c.status is not ControlStatus.MANUAL
        obs_uuid = _uuid(document_id, "observation", token)
        detail = (f"{len(c.checks)} automated check(s); {len(c.failing)} failing finding(s); {len(c.waived)} waived"
                  if automated else f"manual evidence: {c.note}")
        observations.append({
            "uuid": obs_uuid, "title": f"{c.framework} {c.control_id}", "description": detail,
            "methods": ["TEST"] if automated else ["EXAMINE"],
            "props": [_prop("method", "TEST-AUTOMATED" if automated else "EXAMINE-MANUAL"),
                      _prop("automated", "true" if automated else "false"),
                      _prop("framework", c.framework), _prop("control-id", c.control_id)],
            "relevant-evidence": [{"href": evidence_href, "description": "guard findings (SARIF 2.1.0)"}],
            "collected": end.isoformat(),
        })
        findings.append({
            "uuid": _uuid(document_id, "finding", token), "title": f"{c.framework} {c.control_id}: {c.title}"[:1000],
            "description": detail,
            "target": {"type": "objective-id", "target-id": token, "title": c.title or c.control_id,
                       "status": {"state": "not-satisfied" if c.status is ControlStatus.FAILED else "satisfied"}},
            "related-observations": [{"observation-uuid": obs_uuid}],
        })
    selected = sorted({control_token(c.framework, c.control_id) for c in controls})
    result: dict[str, Any] = {
        "uuid": _uuid(document_id, "result"), "title": title,
        "description": f"Automated assessment by guard {guard_version}.",
        "start": start.isoformat(), "end": end.isoformat(),
        "reviewed-controls": {"control-selections": [
            {"include-controls": [{"control-id": t} for t in selected]} if selected else {"include-all": {}}]},
    }
    if observations:
        result["observations"] = observations
    if findings:
        result["findings"] = findings
    if not_assessed:
        result["remarks"] = "Not assessed (no automated check): " + ", ".join(not_assessed)
    doc = {
        "uuid": _uuid(document_id, "assessment-results"),
        "metadata": {"title": title, "last-modified": end.isoformat(), "version": guard_version,
                     "oscal-version": OSCAL_VERSION},
        "import-ap": {"href": "#automated-assessment-plan"},
        "results": [result],
    }
    model = AssessmentResults.model_validate(doc)
    return {"assessment-results": json.loads(model.model_dump_json(by_alias=True, exclude_none=True))}
