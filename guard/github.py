"""GitHub integration: one PR comment updated in place, job summary, step outputs, annotations.

The PR comment is found by the hidden marker the summary starts with and edited through the REST
API, so a pull request carries one guard comment however often it is pushed to. `GITHUB_API_URL`
is honoured (GitHub Enterprise); the token is only ever sent over HTTPS, or plain HTTP to loopback.
"""

from __future__ import annotations

import ipaddress
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from guard.model import RunResult, Severity
from guard.report.markdown import MARKER
from guard.report.printable import printable

MAX_BODY = 65_000  # GitHub rejects comments over 65,536 characters
MAX_ANNOTATIONS = 50
_TIMEOUT = 30
_PAGES = 50


class GitHubError(Exception):
    """A GitHub API call failed; `status` is the HTTP status (0 when no response)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class PullRequest:
    api_url: str
    repository: str  # owner/name
    number: int
    token: str
    head_sha: str | None = None
    server_url: str = "https://github.com"

    @property
    def link_base(self) -> str | None:
        """Base of file links in the summary (the PR head's blob view)."""
        return f"{self.server_url}/{self.repository}/blob/{self.head_sha}" if self.head_sha else None


def pull_request_from_env(env: Mapping[str, str] | None = None) -> PullRequest:
    """The pull request of the running workflow, from the variables GitHub Actions sets."""
    env = os.environ if env is None else env
    token = env.get("GITHUB_TOKEN") or env.get("GH_TOKEN")
    repo = env.get("GITHUB_REPOSITORY")
    if not token:
        raise GitHubError("no token: set GITHUB_TOKEN (the action passes its `token` input)")
    if not repo:
        raise GitHubError("GITHUB_REPOSITORY is not set")
    event: dict[str, Any] = {}
    if env.get("GITHUB_EVENT_PATH"):
        try:
            event = json.loads(Path(env["GITHUB_EVENT_PATH"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise GitHubError(f"{env['GITHUB_EVENT_PATH']}: cannot read the event: {exc}") from None
    pr = event.get("pull_request") or {}
    number = pr.get("number")
    if number is None:
        raise GitHubError("not a pull request event: nothing to comment on")
    return PullRequest(api_url=env.get("GITHUB_API_URL") or "https://api.github.com", repository=repo,
                       number=int(number), token=token, head_sha=(pr.get("head") or {}).get("sha"),
                       server_url=env.get("GITHUB_SERVER_URL") or "https://github.com")


def upsert_comment(pr: PullRequest, body: str) -> tuple[str, int]:
    """Create guard's comment on the PR, or edit the one already there; returns (action, comment id)."""
    if MARKER not in body:
        body = f"{MARKER}\n{body}"
    if len(body) > MAX_BODY:
        body = body[:MAX_BODY] + "\n\n… (truncated; see the job summary for the full report)\n"
    existing = find_comment(pr)
    if existing is not None:
        _request(pr, "PATCH", f"/repos/{pr.repository}/issues/comments/{existing}", {"body": body})
        return "updated", existing
    created = _request(pr, "POST", f"/repos/{pr.repository}/issues/{pr.number}/comments", {"body": body})
    return "created", int(created["id"])


def find_comment(pr: PullRequest) -> int | None:
    """The id of the PR's comment carrying guard's marker (oldest first), if any."""
    for page in range(1, _PAGES + 1):
        items = _request(pr, "GET", f"/repos/{pr.repository}/issues/{pr.number}/comments?per_page=100&page={page}")
        if not isinstance(items, list):
            raise GitHubError("unexpected answer listing comments (not a list)")
        for c in items:
            if isinstance(c, dict) and MARKER in str(c.get("body") or ""):
                return int(c["id"])
        if len(items) < 100:
            return None
    return None


def _request(pr: PullRequest, method: str, path: str, payload: Mapping[str, Any] | None = None) -> Any:
    url = pr.api_url.rstrip("/") + path
    _check_transport(url)
    data = None if payload is None else json.dumps(payload).encode("utf-8")
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Accept": "application/vnd.github+json", "Authorization": f"Bearer {pr.token}",
        "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "guard-scanner",
        **({"Content-Type": "application/json"} if data is not None else {}),
    })
    try:
        with urllib.request.urlopen(req, timeout=_TIMEOUT) as resp:  # noqa: S310 (scheme checked above)
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        detail = exc.read()[:300].decode("utf-8", "replace")
        raise GitHubError(f"{method} {path.split('?')[0]}: HTTP {exc.code}: {detail}", exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        raise GitHubError(f"{method} {url}: {getattr(exc, 'reason', exc)}") from None
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        raise GitHubError(f"{method} {path}: answer is not JSON") from None


def _check_transport(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "https":
        return
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme != "http" or not loopback:
        raise GitHubError(f"refusing to send the token to {parts.scheme}://{host}: only https (or http to loopback)")


# --- the job itself -----------------------------------------------------------------------------


def annotations(run: RunResult, limit: int = MAX_ANNOTATIONS) -> list[str]:
    """Workflow commands that annotate the diff with new findings (`::error file=...,line=...::...`)."""
    out: list[str] = []
    new = [f for f in run.findings if not f.properties.get("existing") and f.location]
    new.sort(key=lambda f: -f.severity.rank)
    level = {Severity.CRITICAL: "error", Severity.HIGH: "error", Severity.MEDIUM: "warning"}
    for f in new[:limit]:
        loc = f.location
        assert loc is not None
        props = [f"file={_prop(loc.path)}"]
        if loc.start_line:
            props.append(f"line={loc.start_line}")
            if loc.end_line and loc.end_line >= loc.start_line:
                props.append(f"endLine={loc.end_line}")
        props.append(f"title={_prop(f'guard {f.severity.value}: {f.rule_id}')}")
        out.append(f"::{level.get(f.severity, 'notice')} {','.join(props)}::{_data(f.message)}")
    return out


def step_outputs(run: RunResult) -> dict[str, str]:
    """Counts for `$GITHUB_OUTPUT`: new and existing findings, per severity of the new ones, waived."""
    new = [f for f in run.findings if not f.properties.get("existing")]
    out = {"new": str(len(new)), "existing": str(len(run.findings) - len(new)), "waived": str(len(run.waived)),
           "passed": "true" if run.gate is not None and run.gate.passed else "false"}
    for s in Severity:
        out[s.value] = str(sum(1 for f in new if f.severity is s))
    return out


def publish_step(run: RunResult, summary: str, env: Mapping[str, str] | None = None) -> list[str]:
    """Append the summary to the job summary, write step outputs, return annotation lines to print."""
    env = os.environ if env is None else env
    if env.get("GITHUB_STEP_SUMMARY"):
        with open(env["GITHUB_STEP_SUMMARY"], "a", encoding="utf-8") as fh:
            fh.write(summary.replace(MARKER, "").lstrip("\n") + "\n")
    if env.get("GITHUB_OUTPUT"):
        with open(env["GITHUB_OUTPUT"], "a", encoding="utf-8") as fh:
            fh.writelines(f"{k}={v}\n" for k, v in step_outputs(run).items())
    return annotations(run)


def set_sarif_category(path: Path, category: str) -> None:
    """Prefix every run's automationDetails.id with `category`, so several uploads do not replace each other."""
    from guard.atomic import atomic_write

    doc = json.loads(path.read_text(encoding="utf-8"))
    prefix = category.strip("/")
    for run in doc.get("runs", []):
        current = (run.get("automationDetails") or {}).get("id") or f"guard/{run['tool']['driver']['name']}/"
        tail = current[len("guard/"):] if current.startswith("guard/") else current
        run["automationDetails"] = {**(run.get("automationDetails") or {}), "id": f"{prefix}/{tail}"}
    atomic_write(path, json.dumps(doc, indent=2, ensure_ascii=False))


def _data(text: str) -> str:
    """Workflow-command data: `%`, CR and LF encoded as the runner decodes them, other control characters
    written out (the line is in the job's log)."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
