"""Fault matrix: every registered tool scanner x every way its tool can fail -> exit 2, named, never a pass.

One guard run per fault covers every scanner at once (each with its own fake tool, configured via
`.guard.yaml` `tools: {tool: {path, timeout}}`); the parametrized cases then check each scanner's
entry in that run's findings.json and evidence bundle. The fake tool answers the version probe and
writes its fault wherever the scanner module tells the real tool to write (`-o FILE`,
`--output-file-path DIR` for checkov, stdout for the rest).
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guard.scanners.base import OUTPUT_LIMIT, all_scanner_classes
from tests.conftest import scannable_tree
from tests.hardening.helpers import assert_no_crash, findings_doc, guard

# version line each tool's `--version` prints (the version probe must succeed for a real run)
VERSIONS = {
    "bandit": "bandit 1.9.4", "checkov": "3.3.30", "semgrep": "1.185.0", "trivy": "Version: 0.76.0",
    "hadolint": "Haskell Dockerfile Linter 2.15.1", "zizmor": "zizmor 1.32.0", "actionlint": "1.17.0",
    "detect-secrets": "1.5.0",
}

CLASSES = all_scanner_classes()
TOOL_SCANNERS = sorted(n for n, c in CLASSES.items() if hasattr(c, "command"))
HUGE = OUTPUT_LIMIT + 5 * 1024 * 1024  # > 100 MB, just over guard's limit

# Valid JSON in the shape each family of formats expects at the top, with wrong types inside.
INVALID = json.dumps({
    "version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "rules": "nope"}},
                                  "results": [{"ruleId": 5, "locations": "nope", "message": 7, "level": []}]}],
    "results": {"app.py": [{"type": 5, "line_number": "x", "hashed_secret": []}], "failed_checks": "nope"},
    "SchemaVersion": 2, "Results": [{"Target": "main.tf", "Class": "config", "Misconfigurations": "x",
                                     "Secrets": [7]}],
})

# fault -> (shell run after the version probe; words one of which the reason must contain)
FAULTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "missing": ("", ("not found",)),
    "crash": ("exit 3", ("exit", "no output", "empty output")),
    "killed": ("kill -9 $$", ("signal", "exit")),
    "timeout": ("sleep 30", ("timed out",)),
    "hung": ("", ("timed out",)),  # hangs in the version probe (with a child holding its pipes)
    "truncated": ("""printf '{"version": "2.1.0", "runs": [{"tool": {"driver": {"na'""", ("invalid", "cannot read", "JSON", "SARIF")),
    "not-json": ("printf 'Segmentation fault (core dumped)\\n<html>'", ("invalid", "cannot read", "JSON", "SARIF")),
    "invalid": (f"cat <<'EOF'\n{INVALID}\nEOF", ("invalid", "cannot read", "not a", "no `", "SARIF", "CycloneDX", "JSON")),
    "deep": ("head -c 200000 /dev/zero | tr '\\0' '['", ("invalid", "cannot read", "nest", "deep", "JSON", "SARIF")),
    "huge": (f"yes '{{\"k\": \"vvvvvvvvvvvvvvvv\"}}' | head -c {HUGE}", ("limit",)),
    "encoding": ("printf '\\377\\376{\\000\"\\000v\\000\"\\000:\\0001\\000}\\000'", ("UTF-8",)),
}


def fake_tool(path: Path, version: str, body: str, hang_version: bool) -> Path:
    probe = "sleep 300 & wait; " if hang_version else ""
    path.write_text(
        "#!/bin/sh\n"
        f'case "$1" in --version|-version|version) {probe}echo "{version}"; exit 0;; esac\n'
        'OUT=""\n'
        'while [ $# -gt 0 ]; do case "$1" in -o|--output-file-path) OUT="$2";; esac; shift; done\n'
        'if [ -n "$OUT" ]; then [ -d "$OUT" ] && OUT="$OUT/results_json.json"; exec >"$OUT"; fi\n'
        f"{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


def configure(root: Path, bins: Path, fault: str) -> None:
    body, _ = FAULTS[fault]
    timeout = 2 if fault in ("timeout", "hung") else 60
    tools = []
    for tool, version in VERSIONS.items():
        path = (Path("/nonexistent/bin") / tool if fault == "missing"
                else fake_tool(bins / tool, version, body, hang_version=fault == "hung"))
        tools.append(f"  {tool}:\n    path: {path}\n    timeout: {timeout}\n")
    (root / ".guard.yaml").write_text(
        f"scanners: [{', '.join(TOOL_SCANNERS)}]\ncache: false\njobs: {len(TOOL_SCANNERS)}\n"
        f"tools:\n{''.join(tools)}")


def measured_guard(args: list[str], home: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    """Run guard under a small parent that reports the peak RSS (KiB) of guard and its children."""
    code = ("import resource, subprocess, sys\n"
            "p = subprocess.run(sys.argv[1:])\n"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
            "sys.exit(p.returncode)\n")
    proc = subprocess.run([sys.executable, "-c", code, sys.executable, "-m", "guard", *args], capture_output=True,
                          text=True, errors="replace", timeout=300, check=False,
                          env={**__import__("os").environ, "TMPDIR": str(home / "tmp"),
                               "GUARD_CACHE_DIR": str(home / "cache")})
    *rest, rss = proc.stderr.rstrip("\n").rsplit("\n", 1)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout, "\n".join(rest)), int(rss)


_RUNS: dict[str, tuple[subprocess.CompletedProcess[str], dict, dict, int]] = {}


@pytest.fixture(scope="module")
def fault_run(tmp_path_factory):
    def get(fault: str):
        if fault not in _RUNS:
            home = tmp_path_factory.mktemp(f"fault-{fault}")
            root = scannable_tree(home / "p")
            bins = home / "bin"
            bins.mkdir()
            configure(root, bins, fault)
            out, evidence = home / "out", home / "evidence"
            start = time.monotonic()
            proc, rss = measured_guard(["scan", str(root), "-o", str(out), "-q", "--evidence", str(evidence)], home)
            elapsed = time.monotonic() - start
            runs = {s["scanner"]: s for s in findings_doc(out)["scanners"]} if (out / "findings.json").is_file() else {}
            manifests = [json.loads(p.read_text()) for p in evidence.glob("runs/*/manifest.json")]
            tools = {t["name"]: t for m in manifests for t in m["tools"]}
            _RUNS[fault] = (proc, runs, {"manifests": manifests, "tools": tools, "out": out, "seconds": elapsed}, rss)
            shutil.rmtree(home / "tmp", ignore_errors=True)  # guard's scratch space (huge outputs)
        return _RUNS[fault]
    yield get
    _RUNS.clear()


def test_every_registered_scanner_is_in_the_matrix():
    assert set(TOOL_SCANNERS) | {"osv"} == set(CLASSES)
    assert {CLASSES[n].tool for n in TOOL_SCANNERS} == set(VERSIONS)


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_run_fails_closed(fault: str, fault_run):
    proc, runs, evidence, _ = fault_run(fault)
    assert_no_crash(proc)
    assert proc.returncode == 2, proc.stderr
    doc = findings_doc(evidence["out"])
    assert doc["gate"]["passed"] is False
    assert len(evidence["manifests"]) == 1, "the failed run's evidence bundle was not stored"
    assert evidence["manifests"][0]["gate"]["passed"] is False


@pytest.mark.parametrize("fault", sorted(FAULTS))
@pytest.mark.parametrize("scanner", TOOL_SCANNERS)
def test_scanner_fault_is_named(scanner: str, fault: str, fault_run):
    proc, runs, evidence, _ = fault_run(fault)
    run = runs[scanner]
    assert run["status"] == "error", run
    words = FAULTS[fault][1]
    assert any(w in run["reason"] for w in words), f"{scanner}/{fault}: reason {run['reason']!r} names none of {words}"
    assert f"scanner {scanner} failed: " in proc.stderr
    assert not run.get("findings"), "a failed scanner must not report partial findings"
    assert evidence["tools"][scanner]["status"] == "error"


def test_huge_output_is_refused_without_reading_it(fault_run):
    _, _, _, rss_crash = fault_run("crash")
    _, runs, _, rss_huge = fault_run("huge")
    assert all("limit" in runs[s]["reason"] for s in TOOL_SCANNERS)
    # nine outputs of 105 MiB each: reading even one would add over 100 MiB to guard's peak
    assert rss_huge - rss_crash < 60 * 1024, (rss_crash, rss_huge)


def test_version_probe_that_hangs_does_not_hang_guard(fault_run):
    """The probe is bounded by the tool's timeout (2 s here) and its whole process group is killed."""
    _, runs, evidence, _ = fault_run("hung")
    assert evidence["seconds"] < 30, evidence["seconds"]
    assert all("version" in runs[s]["reason"] for s in TOOL_SCANNERS)


def test_output_limit_is_documented():
    text = (Path(__file__).resolve().parents[2] / "SECURITY.md").read_text()
    assert f"{OUTPUT_LIMIT // (1024 * 1024)} MiB" in text and "GUARD_MAX_OUTPUT_MB" in text


# --- the Rego engines, the OPA server, the advisory database, the evidence store -----------

POLICY_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "policy"
OSV_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "osv"


def bandit_project(root: Path, config: str = "") -> Path:
    """A project whose only scanner is the real bandit, with one finding for policies to see."""
    root.mkdir(parents=True)
    (root / "app.py").write_text("import subprocess\nsubprocess.call(input(), shell=True)\n")
    (root / ".guard.yaml").write_text(f"scanners: [bandit]\ncache: false\n{config}")
    return root


needs_bandit = pytest.mark.skipif(__import__("guard.tools.envs", fromlist=["resolve"]).resolve("bandit") is None,
                                  reason="bandit not installed (guard tools install bandit)")


def policy_run(out: Path) -> dict:
    (run,) = [s for s in findings_doc(out)["scanners"] if s["scanner"] == "guard-policy"]
    return run


@needs_bandit
@pytest.mark.parametrize("engine,fixture,named", [
    ("regorus", "eval_error", "conflict.rego"), ("regorus", "broken_syntax", "broken.rego"),
    ("regorus", "unknown_builtin", "unknown.rego"), ("opa", "eval_error", "conflict.rego"),
    ("opa", "broken_syntax", "broken.rego")])
def test_policy_engine_fault_fails_the_scan(engine: str, fixture: str, named: str, tmp_path: Path):
    root = bandit_project(tmp_path / "p", f"policies:\n  engine: {engine}\n  paths: [{POLICY_FIXTURES / fixture}]\n")
    out = tmp_path / "out"
    proc = guard("scan", str(root), "-o", str(out), "-q", home=tmp_path, isolate_cache=False)
    assert_no_crash(proc)
    assert proc.returncode == 2, proc.stderr
    run = policy_run(out)
    assert run["status"] == "error" and named in run["reason"], run
    assert "scanner guard-policy failed" in proc.stderr and findings_doc(out)["gate"]["passed"] is False


class FaultyOpa:
    """An HTTP server on loopback that answers every OPA call with one kind of fault."""

    BODIES = {
        "500": (500, b'{"code": "internal_error", "message": "boom"}'),
        "500-html": (500, b"<html><body>Internal Server Error</body></html>"),
        "garbage-json": (200, b'{"result": [1, 2'),
        "not-json": (200, b"\x00\xffnot json at all"),
        "wrong-shape": (200, b'{"result": "yes"}'),
        "empty": (200, b""),
    }

    def __init__(self, fault: str) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        import threading

        status, body = self.BODIES[fault]
        self.calls: list[str] = []  # the paths of every call but health checks
        calls = self.calls

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                if not self.path.startswith("/health"):
                    calls.append(self.path)
                if self.path.startswith("/health"):  # healthy, so the fault hits the real calls
                    self.send_response(200)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"{}")
                    return
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_PUT = do_POST = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FaultyOpa":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def _free_port_url() -> str:
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("fault", sorted(FaultyOpa.BODIES))
def test_opa_server_fault_is_a_policy_error(fault: str):
    """Loading the built-in pack through a broken OPA server: a PolicyError, quickly, nothing else."""
    from guard.policy.base import PolicyError
    from guard.policy.loader import builtin_dir, load_engine, load_pack
    from guard.policy.opa_server import OpaServerEngine

    pack = load_pack([builtin_dir()], entry_points=False)
    with FaultyOpa(fault) as server, pytest.raises(PolicyError, match="opa-server"):
        load_engine(pack, OpaServerEngine(server.url))
    queries = [c for c in server.calls if not c.startswith("/v1/policies/")]  # module uploads aside
    assert len(queries) <= 2, f"a failing server must not be asked again policy by policy: {queries}"


@needs_bandit
@pytest.mark.parametrize("fault", ["wrong-shape", "unreachable"])
def test_opa_server_fault_fails_the_scan(fault: str, tmp_path: Path):
    server = FaultyOpa(fault).__enter__() if fault != "unreachable" else None
    try:
        url = server.url if server else _free_port_url()
        root = bandit_project(tmp_path / "p", f"policies:\n  engine: opa-server\n  opa_url: {url}\n")
        out = tmp_path / "out"
        proc = guard("scan", str(root), "-o", str(out), "-q", home=tmp_path, isolate_cache=False, timeout=120)
    finally:
        if server is not None:
            server.__exit__()
    assert_no_crash(proc)
    assert proc.returncode == 2, proc.stderr
    run = policy_run(out)
    assert run["status"] == "error" and "opa-server" in run["reason"], run
    assert findings_doc(out)["gate"]["passed"] is False


@pytest.fixture(scope="module")
def advisory_db(tmp_path_factory) -> Path:
    from guard.advisories.store import AdvisoryStore

    directory = tmp_path_factory.mktemp("osv-db")
    AdvisoryStore(directory).import_sources([str(OSV_FIXTURES / "npm")])
    return directory


def _corrupt_db(kind: str, good: Path, db: Path) -> None:
    import sqlite3

    if kind == "missing":
        return
    db.mkdir()
    target = db / "osv.sqlite3"
    data = (good / "osv.sqlite3").read_bytes()
    if kind == "garbage":
        target.write_bytes(b"\x89not a database\x00" * 4096)
    elif kind == "truncated":
        target.write_bytes(data[: len(data) // 3])
    elif kind == "empty-file":
        target.write_bytes(b"")
    elif kind == "zeroed-pages":
        target.write_bytes(data[:4096] + b"\x00" * (len(data) - 4096))
    elif kind == "is-a-directory":
        target.mkdir()
    elif kind == "wrong-layout":
        with sqlite3.connect(target) as conn:
            conn.execute("CREATE TABLE unrelated (x)")
    elif kind == "stale":
        target.write_bytes(data)
        with sqlite3.connect(target) as conn:
            conn.execute("UPDATE meta SET value = '2020-01-01T00:00:00+00:00' WHERE key = 'imported_at'")
    elif kind == "no-meta":
        target.write_bytes(data)
        with sqlite3.connect(target) as conn:
            conn.execute("DELETE FROM meta")


DB_FAULTS = ["missing", "garbage", "truncated", "empty-file", "zeroed-pages", "is-a-directory", "wrong-layout",
             "stale", "no-meta"]


@pytest.mark.parametrize("kind", DB_FAULTS)
def test_advisory_database_fault_is_a_scanner_error(kind: str, advisory_db: Path, tmp_path: Path):
    from guard.config import AdvisorySettings, Config
    from guard.scanners.base import ScannerError
    from guard.scanners.deps import OsvScanner

    db = tmp_path / "db"
    _corrupt_db(kind, advisory_db, db)
    root = _lock_project(tmp_path / "p")
    scanner = OsvScanner(Config(advisories=AdvisorySettings(db=str(db))))
    with pytest.raises(ScannerError, match="NOT checked"):
        list(scanner.scan(root, ["package-lock.json"], tmp_path / "work"))


def _lock_project(root: Path, config: str = "") -> Path:
    root.mkdir()
    (root / "package-lock.json").write_text(json.dumps({
        "name": "x", "version": "1.0.0", "lockfileVersion": 3,
        "packages": {"": {"name": "x"}, "node_modules/lodash": {"version": "4.17.20"}}}))
    (root / ".guard.yaml").write_text(f"scanners: [osv]\ncache: false\n{config}")
    return root


def test_corrupt_advisory_database_fails_the_scan(advisory_db: Path, tmp_path: Path):
    db = tmp_path / "db"
    _corrupt_db("truncated", advisory_db, db)
    root = _lock_project(tmp_path / "p", f"advisories:\n  db: {db}\n")
    out = tmp_path / "out"
    proc = guard("scan", str(root), "-o", str(out), "-q", home=tmp_path)
    assert_no_crash(proc)
    assert proc.returncode == 2, proc.stderr
    (run,) = [s for s in findings_doc(out)["scanners"] if s["scanner"] == "osv"]
    assert run["status"] == "error" and "NOT checked" in run["reason"], run
    assert "scanner osv failed" in proc.stderr and findings_doc(out)["gate"]["passed"] is False


@pytest.fixture(scope="module")
def first_store(tmp_path_factory) -> Path:
    """An evidence store holding one good run."""
    home = tmp_path_factory.mktemp("first-store")
    root = bandit_project(home / "p")
    store = home / "evidence"
    first = guard("scan", str(root), "-q", "--soft-fail", "--evidence", str(store), home=home, isolate_cache=False)
    assert first.returncode == 0, first.stderr
    return store


@needs_bandit
@pytest.mark.parametrize("kind", ["parent-is-a-file", "store-is-a-file", "ledger-garbage", "ledger-not-object",
                                  "run-dir-is-a-file"])
def test_evidence_store_fault_exits_2(kind: str, first_store: Path, tmp_path: Path):
    root = bandit_project(tmp_path / "p")
    store = tmp_path / "evidence"
    shutil.copytree(first_store, store)
    (entry,) = sorted((store / "ledger").iterdir())
    if kind == "parent-is-a-file":
        (tmp_path / "plain").write_text("x")
        store = tmp_path / "plain" / "evidence"
    elif kind == "store-is-a-file":
        store = tmp_path / "file-store"
        store.write_text("not a directory")
    elif kind == "ledger-garbage":
        entry.write_bytes(b"\x00\xff garbage")
    elif kind == "ledger-not-object":
        entry.write_text("[1, 2, 3]")
    elif kind == "run-dir-is-a-file":
        shutil.rmtree(store / "runs")
        (store / "runs").write_text("not a directory")
    before = sorted(p.name for p in (store / "ledger").iterdir()) if (store / "ledger").is_dir() else []
    proc = guard("scan", str(root), "-q", "--soft-fail", "--evidence", str(store), home=tmp_path, isolate_cache=False)
    assert_no_crash(proc)
    assert proc.returncode == 2, proc.stderr
    assert "evidence not stored" in proc.stderr
    after = sorted(p.name for p in (store / "ledger").iterdir()) if (store / "ledger").is_dir() else []
    assert after == before, "a failed store must not extend the ledger"
