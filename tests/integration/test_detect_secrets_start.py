"""detect-secrets started by `detect_secrets_start`: a YAML file whose aliases expand past a million
nodes (a billion-laughs document took detect-secrets' YAML transformer 90 s) is scanned as lines, and
every other file exactly as detect-secrets' own script scans it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from guard import config as config_mod
from guard.scanners.detect_secrets import START, DetectSecretsScanner, start
from guard.scanners.runner import run_one
from guard.tools.envs import resolve
from tests.conftest import write_files

TOOL = resolve("detect-secrets")
needs_tool = pytest.mark.skipif(TOOL is None, reason="detect-secrets not installed (guard tools install detect-secrets)")

LAYERS = "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8))
BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + LAYERS  # 9^9 nodes
SECRET = 'api_password: "Kx81bq-hunter2-Zr93"\n'


@needs_tool
def test_the_pinned_detect_secrets_is_started_by_guards_script() -> None:
    argv = start(TOOL.executable)
    assert argv[1] == START and Path(argv[0]).name.startswith("python")
    assert start("/usr/bin/true") == ["/usr/bin/true"]  # anything else: as it is


@needs_tool
def test_the_bound_counts_nodes_after_alias_expansion() -> None:
    python, script = start(TOOL.executable)
    probe = ("import importlib.util, sys\n"  # by path: guard's scanners folder holds a detect_secrets.py too
             "spec = importlib.util.spec_from_file_location('start', sys.argv[1])\n"
             "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
             "for text in sys.argv[2:]: print(module.expands_past(text, 1_000_000))")
    manifest = "apiVersion: v1\nkind: ConfigMap\ndata:\n" + "".join(f"  k{i}: v{i}\n" for i in range(1000))
    small = 'a: &a ["x","y"]\nb: [*a,*a,*a]\n'
    out = subprocess.run([python, "-c", probe, script, BOMB, manifest, small, ": : [\n"],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "False", "False", "False"]  # unparsable YAML: the transformer refuses it itself


@needs_tool
def test_a_plugin_skips_a_line_only_where_its_expressions_decide() -> None:
    """A plugin is skipped on a line only where one of some expressions matches every line it reports on: its
    own for a plugin that only searches them, the keywords for the keyword plugin; not the entropy plugins,
    nor one that checks its matches further (JWT's formal validity)."""
    python, script = start(TOOL.executable)
    probe = ("import importlib.util, sys\n"
             "spec = importlib.util.spec_from_file_location('start', sys.argv[1])\n"
             "module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)\n"
             "from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class\n"
             "for kind in get_mapping_from_secret_type_to_class().values():\n"
             "    patterns = module.line_patterns(kind())\n"
             "    whole = patterns is not None and patterns == tuple(getattr(kind, 'denylist', ()))\n"
             "    print(kind.__name__, 'None' if patterns is None else 'all' if whole else 'some')")
    out = subprocess.run([python, "-c", probe, script], capture_output=True, text=True, check=True).stdout
    searched = dict(line.split() for line in out.splitlines())
    assert searched["AWSKeyDetector"] == searched["PrivateKeyDetector"] == searched["GitHubTokenDetector"] == "all"
    assert searched["KeywordDetector"] == "some"
    assert searched["JwtTokenDetector"] == searched["Base64HighEntropyString"] == "None"
    assert sum(value == "all" for value in searched.values()) >= 20


@needs_tool
def test_a_yaml_bomb_is_scanned_as_lines_and_other_files_as_before(tmp_path: Path) -> None:
    files = {"fixtures/bomb.yml": SECRET + BOMB, "config/app.yml": "db:\n  " + SECRET,
             "app/settings.py": 'API_PASSWORD = "Kx81bq-hunter2-Zr93"\n'}
    write_files(tmp_path, files)
    cfg = config_mod.load(tmp_path, flags={"cache": False})
    run = run_one(DetectSecretsScanner(cfg), tmp_path, sorted(files), tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    found = {(f.location.path, f.location.start_line, f.rule_id) for f in run.findings}
    assert ("fixtures/bomb.yml", 1, "secret-keyword") in found
    # the files that are no bomb: what detect-secrets' own script reports
    plain = ["config/app.yml", "app/settings.py"]
    own = json.loads(subprocess.run([TOOL.executable, "scan", "--all-files", *plain], cwd=tmp_path,
                                    capture_output=True, text=True, check=True).stdout)["results"]
    assert {(p, item["line_number"], item["type"]) for p, items in own.items() for item in items} == {
        (f.location.path, f.location.start_line, f.rule.name) for f in run.findings if f.location.path in plain}


SECRETS = {  # several plugins and filters: what each reports must not change with guard's start
    "app/settings.py": 'AWS_KEY = "AKIAIOSFODNN7EXAMPLE"\n'
                       'SLACK = "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx"\n'
                       'password = "Kx81bq-hunter2-Zr93"\nurl = "https://admin:Sup3rS3cret@db.example.com/x"\n'
                       'TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.'
                       'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"\n',
    "deploy/key.pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7x\n-----END RSA PRIVATE KEY-----\n",
    "config/app.ini": "[db]\nsecret = 4f8a9c2e71b3d6f05a8e9c1d2b7f3a6e\nhex_token = 0123456789abcdef0123456789abcdef\n",
    "docs/readme.md": "Set `password = ${PASSWORD}` (a placeholder) and api_key: 'zT9xQ2mW8vR4kL7pN3bY6'\n",
    # plugins that only search their expressions, one or two to a line, beside lines none of them matches
    "app/tokens.py": 'GITHUB = "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"\n'
                     'STRIPE = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"\n'
                     'SENDGRID = "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"\n'
                     'TWILIO = "SKb5aed9ca12bf5890f37930e63cad6d38"\nnothing = "no secret on this line"\n'
                     'MAILCHIMP = "343ea45721923ed956e2b38c31db76aa-us12"\n'
                     'DISCORD = "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs"\n'
                     'artifactory = "AKCp8jQ8ZX4ybGdxbm1DbzRpMktXzT2a"\n',
    "app/both.py": 'both = "AKIAI44QH8DHBEXAMPLE ghp_Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa"\n',
}


@needs_tool
def test_guards_start_reports_what_detect_secrets_own_script_reports(tmp_path: Path) -> None:
    write_files(tmp_path, SECRETS)
    scanner = DetectSecretsScanner(config_mod.load(tmp_path, flags={"cache": False}))
    argv = scanner.command(TOOL.executable, tmp_path, sorted(SECRETS), tmp_path / "work")
    assert argv[1] == START
    own_argv = [TOOL.executable, *argv[2:]]  # the same arguments, detect-secrets' own script

    def results(command: list[str]) -> dict:
        out = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, check=True).stdout
        return json.loads(out)["results"]

    guards, own = results(argv), results(own_argv)
    assert guards == own
    assert len({item["type"] for items in own.values() for item in items}) >= 14
    assert {item["type"] for item in own["app/both.py"]} == {"AWS Access Key", "GitHub Token"}


@needs_tool
def test_a_text_file_that_is_not_utf8_is_scanned_and_a_binary_one_is_not(tmp_path: Path) -> None:
    """detect-secrets took every file that is not UTF-8 for binary and left it out without a word: a Latin-1
    config file's or a UTF-16 script's credentials went unscanned. Read as what they are, they are found, on
    their lines."""
    (tmp_path / "legacy.cfg").write_bytes("# réglages\n".encode("latin-1") + SECRET.encode()
                                          + 'AWS_KEY = "AKIAIOSFODNN7EXAMPLE" # clé\n'.encode("latin-1"))
    (tmp_path / "blob").write_bytes(b"\x89PNG\0\xff\xfe" + SECRET.encode())  # a NUL byte: binary
    (tmp_path / "plain.cfg").write_text(SECRET)
    powershell = "# Out-File écrit UTF-16\r\n" + SECRET.replace("\n", "\r\n")
    (tmp_path / "deploy.ps1").write_bytes(powershell.encode("utf-16"))  # with its byte order mark
    files = ["blob", "deploy.ps1", "legacy.cfg", "plain.cfg"]
    cfg = config_mod.load(tmp_path, flags={"cache": False})
    run = run_one(DetectSecretsScanner(cfg), tmp_path, files, tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    found = {(f.location.path, f.location.start_line, f.rule_id) for f in run.findings}
    assert {("legacy.cfg", 2, "secret-keyword"), ("legacy.cfg", 3, "aws-access-key"),
            ("plain.cfg", 1, "secret-keyword"), ("deploy.ps1", 2, "secret-keyword")} <= found
    assert not any(path == "blob" for path, _, _ in found)
