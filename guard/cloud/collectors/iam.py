"""IAM (global): password policy, account summary, credential report (root MFA and keys, users'
MFA and key age), and the account authorization details (customer managed policy documents)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from typing import Any
from urllib.parse import unquote

from guard.cloud.collectors.base import Api, CollectError, Resource, resource
from guard.cloud.raw import RawView

REPORT_WAIT_SECONDS = 30


class IamCollector:
    service = "iam"
    scope = "global"

    def collect(self, api: Api) -> None:
        api.call("GetAccountPasswordPolicy", absent=("NoSuchEntity",))
        api.call("GetAccountSummary")
        api.pages("GetAccountAuthorizationDetails", Filter=["User", "Role", "Group", "LocalManagedPolicy"])
        deadline = time.monotonic() + REPORT_WAIT_SECONDS
        while True:
            api.call("GenerateCredentialReport")
            if api.call("GetCredentialReport", absent=("ReportInProgress", "ReportNotPresent",
                                                       "ReportExpired")) is not None:
                return
            if time.monotonic() > deadline:
                raise CollectError(f"iam:GetCredentialReport: report not ready after {REPORT_WAIT_SECONDS}s")
            time.sleep(1)

    def normalize(self, raw: RawView, account: str, region: str) -> list[Resource]:
        report = raw.first("GetCredentialReport")
        rows = _report_rows(report["Content"]) if report else []
        collected = raw.record("GetCredentialReport") or {}
        now = dt.datetime.fromisoformat(collected["collected_at"]) if collected.get("collected_at") else None
        root = next((r for r in rows if r.get("user") == "<root_account>"), None)
        policy = raw.first("GetAccountPasswordPolicy")
        summary = (raw.first("GetAccountSummary") or {}).get("SummaryMap") or {}
        out = [resource(f"arn:aws:iam::{account}:root", account, region, "aws_iam_account", {
            "password_policy": policy.get("PasswordPolicy") if policy else None,
            "summary": summary,
            "root": _root(summary, root),
        })]
        for row in rows:
            if row.get("user") == "<root_account>":
                continue
            keys = [{"number": n, "active": _bool(row.get(f"access_key_{n}_active")),
                     "last_rotated": _time(row.get(f"access_key_{n}_last_rotated")),
                     "age_days": _age(row.get(f"access_key_{n}_last_rotated"), now)}
                    for n in (1, 2) if _bool(row.get(f"access_key_{n}_active"))]
            out.append(resource(row["arn"], account, region, "aws_iam_user", {
                "user_name": row["user"], "password_enabled": _bool(row.get("password_enabled")),
                "mfa_active": _bool(row.get("mfa_active")), "access_keys": keys,
            }))
        for p in raw.items("GetAccountAuthorizationDetails", "Policies"):
            doc = next((v.get("Document") for v in p.get("PolicyVersionList") or [] if v.get("IsDefaultVersion")), None)
            doc = _document(doc)
            out.append(resource(p["Arn"], account, region, "aws_iam_policy", {
                "name": p.get("PolicyName") or p["Arn"].rsplit("/", 1)[-1], "attachment_count": p.get("AttachmentCount", 0),
                "statements": _statements(doc), "document": doc,
            }))
        return out


def _root(summary: dict[str, Any], row: dict[str, str] | None) -> dict[str, Any]:
    """Root user facts: GetAccountSummary's AccountMFAEnabled / AccountAccessKeysPresent (null when
    absent), with the credential report's <root_account> row for per-key detail when present."""
    def flag(key: str) -> bool | None:
        return None if key not in summary else int(summary[key]) >= 1

    out: dict[str, Any] = {"mfa_active": flag("AccountMFAEnabled"), "access_keys_present": flag("AccountAccessKeysPresent")}
    if row is not None:
        out["mfa_active"] = _bool(row.get("mfa_active"))
        out["access_keys_present"] = _bool(row.get("access_key_1_active")) or _bool(row.get("access_key_2_active"))
    return out


def _report_rows(content: Any) -> list[dict[str, str]]:
    text = content if isinstance(content, str) else ""
    return list(csv.DictReader(io.StringIO(text)))


def _bool(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def _time(value: str | None) -> str | None:
    return value if value and value not in ("N/A", "not_supported", "no_information") else None


def _age(value: str | None, now: dt.datetime | None) -> int | None:
    when = _time(value)
    if when is None or now is None:
        return None
    return (now - dt.datetime.fromisoformat(when.replace("Z", "+00:00"))).days


def _document(doc: Any) -> dict[str, Any] | None:
    """Policy documents come decoded from boto3; tolerate the URL-encoded JSON text of the wire."""
    if isinstance(doc, str):
        return json.loads(unquote(doc))
    return doc


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _statements(doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [{"effect": s.get("Effect"), "actions": _as_list(s.get("Action")), "not_actions": _as_list(s.get("NotAction")),
             "resources": _as_list(s.get("Resource")), "has_condition": bool(s.get("Condition"))}
            for s in _as_list((doc or {}).get("Statement"))]
