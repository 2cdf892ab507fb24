"""PR comment against a local HTTP server that records requests; job summary, outputs, annotations."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

from guard import github
from guard.model import Category, Finding, Gate, Location, Rule, RunResult, Severity
from guard.report import markdown


class FakeGitHub:
    """Just enough of GitHub's issue-comments REST API, recording every request."""

    def __init__(self, comments: list[dict[str, Any]] | None = None, status: int = 200) -> None:
        self.comments = comments or []
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []
        self.status = status
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, code: int, doc: Any) -> None:
                body = json.dumps(doc).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                payload = json.loads(self.rfile.read(length)) if length else None
                fake.requests.append((self.command, self.path, dict(self.headers), payload))
                if fake.status != 200:
                    return self._answer(fake.status, {"message": "Resource not accessible by integration"})
                path, _, query = self.path.partition("?")
                if self.command == "GET" and path == "/repos/o/r/issues/7/comments":
                    page = int(dict(p.split("=") for p in query.split("&"))["page"])
                    return self._answer(200, fake.comments[(page - 1) * 100: page * 100])
                if self.command == "POST" and path == "/repos/o/r/issues/7/comments":
                    comment = {"id": 1000 + len(fake.comments), "body": payload["body"]}
                    fake.comments.append(comment)
                    return self._answer(201, comment)
                if self.command == "PATCH" and path.startswith("/repos/o/r/issues/comments/"):
                    cid = int(path.rsplit("/", 1)[1])
                    for c in fake.comments:
                        if c["id"] == cid:
                            c["body"] = payload["body"]
                            return self._answer(200, c)
                return self._answer(404, {"message": "Not Found"})

            do_GET = do_POST = do_PATCH = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    server = FakeGitHub()
    yield server
    server.close()


def pr(url: str) -> github.PullRequest:
    return github.PullRequest(api_url=url, repository="o/r", number=7, token="t0ken", head_sha="abc123")


def result(findings: tuple[Finding, ...] = (), passed: bool = False) -> RunResult:
    return RunResult(target="/r", started="s", finished="f", guard_version="0", scanners=(), findings=findings,
                     gate=Gate(passed=passed, fail_on=Severity.HIGH))


def finding(msg: str = "bad", existing: bool = False, sev: Severity = Severity.HIGH) -> Finding:
    return Finding(tool="bandit", rule=Rule("B602", "n", "B602: shell", "d", "h"), message=msg, severity=sev,
                   category=Category.SAST, location=Location("src/a,b.py", 4, 5), fingerprint="fp",
                   properties={"existing": True} if existing else {})


def test_one_comment_created_then_updated_in_place(fake: FakeGitHub) -> None:
    fake.comments = [{"id": 1, "body": "LGTM"}]
    body = markdown.render(result((finding(),)))
    assert github.upsert_comment(pr(fake.url), body) == ("created", 1001)
    assert github.upsert_comment(pr(fake.url), body.replace("failed", "passed")) == ("updated", 1001)
    assert github.upsert_comment(pr(fake.url), body) == ("updated", 1001)
    assert [c["id"] for c in fake.comments] == [1, 1001]
    methods = [(m, p.split("?")[0]) for m, p, _, _ in fake.requests]
    assert methods.count(("POST", "/repos/o/r/issues/7/comments")) == 1
    assert methods.count(("PATCH", "/repos/o/r/issues/comments/1001")) == 2
    _, _, headers, _ = fake.requests[0]
    assert headers["Authorization"] == "Bearer t0ken" and headers["Accept"] == "application/vnd.github+json"
    assert fake.comments[1]["body"].startswith(markdown.MARKER)


def test_marker_found_on_a_later_page(fake: FakeGitHub) -> None:
    fake.comments = [{"id": i, "body": f"comment {i}"} for i in range(150)]
    fake.comments.append({"id": 999, "body": f"{markdown.MARKER}\nold summary"})
    assert github.upsert_comment(pr(fake.url), "new summary") == ("updated", 999)
    assert fake.comments[-1]["body"] == f"{markdown.MARKER}\nnew summary"
    pages = [p for m, p, _, _ in fake.requests if m == "GET"]
    assert [p.endswith("page=1") for p in pages] == [True, False] and pages[1].endswith("page=2")


def test_long_bodies_are_truncated(fake: FakeGitHub) -> None:
    github.upsert_comment(pr(fake.url), markdown.MARKER + "x" * 100_000)
    assert len(fake.comments[0]["body"]) < 65_536 and "truncated" in fake.comments[0]["body"]


def test_read_only_token_is_an_error_with_its_status() -> None:
    server = FakeGitHub(status=403)
    try:
        with pytest.raises(github.GitHubError) as info:
            github.upsert_comment(pr(server.url), "body")
        assert info.value.status == 403 and "Resource not accessible" in str(info.value)
    finally:
        server.close()


def test_token_never_goes_over_plain_http_to_another_host() -> None:
    with pytest.raises(github.GitHubError, match="refusing to send the token"):
        github.upsert_comment(pr("http://example.com"), "body")


def test_pull_request_from_env(tmp_path: Path) -> None:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": 7, "head": {"sha": "abc123"}}}))
    env = {"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "o/r", "GITHUB_EVENT_PATH": str(event),
           "GITHUB_API_URL": "http://127.0.0.1:1", "GITHUB_SERVER_URL": "https://ghe.example"}
    got = github.pull_request_from_env(env)
    assert (got.number, got.api_url, got.link_base) == (7, "http://127.0.0.1:1", "https://ghe.example/o/r/blob/abc123")
    event.write_text(json.dumps({"push": {}}))
    with pytest.raises(github.GitHubError, match="not a pull request"):
        github.pull_request_from_env(env)
    with pytest.raises(github.GitHubError, match="no token"):
        github.pull_request_from_env({**env, "GITHUB_TOKEN": ""})


def test_annotations_outputs_and_job_summary(tmp_path: Path) -> None:
    run = result((finding("line one\n::set-output name=x::y 100%\x1b[2J"), finding(existing=True, sev=Severity.LOW),
                  finding(sev=Severity.MEDIUM)))
    lines = github.annotations(run)
    assert lines[0] == ("::error file=src/a%2Cb.py,line=4,endLine=5,title=guard high%3A B602::"
                        "line one%0A::set-output name=x::y 100%25\\x1b[2J")  # no escape sequence in the log
    assert lines[1].startswith("::warning ") and len(lines) == 2  # existing findings are not annotated
    summary, outputs = tmp_path / "summary.md", tmp_path / "out.txt"
    github.publish_step(run, markdown.render(run), {"GITHUB_STEP_SUMMARY": str(summary), "GITHUB_OUTPUT": str(outputs)})
    assert "guard: failed" in summary.read_text() and markdown.MARKER not in summary.read_text()
    got = dict(line.split("=", 1) for line in outputs.read_text().splitlines())
    assert got["new"] == "2" and got["existing"] == "1" and got["high"] == "1" and got["passed"] == "false"


def test_sarif_category_prefixes_every_run(tmp_path: Path) -> None:
    sarif = tmp_path / "guard.sarif"
    sarif.write_text(json.dumps({"version": "2.1.0", "runs": [
        {"tool": {"driver": {"name": "bandit"}}, "automationDetails": {"id": "guard/bandit/"}},
        {"tool": {"driver": {"name": "trivy"}}}]}))
    github.set_sarif_category(sarif, "guard-api")
    ids = [r["automationDetails"]["id"] for r in json.loads(sarif.read_text())["runs"]]
    assert ids == ["guard-api/bandit/", "guard-api/trivy/"]
