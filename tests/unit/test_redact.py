"""Secret redaction: values from secret findings are masked in every finding, shapes everywhere."""

from __future__ import annotations

from pathlib import Path

from guard.model import Category, Finding, Location, Rule, Severity, evolve
from guard.redact import is_secret, mask, redact, redact_text, secret_values

AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
TOKEN = "ghp_4xV9kQ2mZ7rT1yP8wL3nB6cD0fH5jK2sA9eG"


def finding(tool: str, rule: str, message: str, line: int, category: Category = Category.SAST,
            cwe: tuple[str, ...] = (), path: str = "settings.py", **props: object) -> Finding:
    r = Rule(id=rule, name=rule, short_description=f"{rule}: x", full_description=message, help_text=message)
    return Finding(tool=tool, rule=r, message=message, severity=Severity.HIGH, category=category,
                   location=Location(path=path, start_line=line, end_line=line, snippet=message), cwe=cwe,
                   properties=dict(props))


def test_mask_keeps_a_prefix_and_a_stable_hash():
    assert mask(AWS_SECRET).startswith("wJal…[redacted:sha256:") and AWS_SECRET not in mask(AWS_SECRET)
    assert mask(AWS_SECRET) == mask(AWS_SECRET) != mask(AWS_SECRET + "x")
    assert mask("short1")[:1] == "…"  # short values keep no prefix


def test_values_found_by_secret_scanners_are_masked_in_every_finding(tmp_path: Path):
    (tmp_path / "settings.py").write_text(f'import os\nAWS_SECRET_ACCESS_KEY = "{AWS_SECRET}"\nSECRET_KEY = "changeme-shop"\n')
    secret = finding("detect-secrets", "secret-keyword", "Secret Keyword in settings.py", 2, Category.SECRET, ("CWE-798",))
    bandit = finding("bandit", "B105", f"Possible hardcoded password: '{AWS_SECRET}'", 2, cwe=("CWE-259",),
                     nested={"lines": [f"x = '{AWS_SECRET}'"]})
    other = finding("semgrep", "some.rule", f"value {AWS_SECRET} used again elsewhere", 9)
    out = redact([secret, bandit, other], tmp_path)
    for f in out:
        text = repr(f)
        assert AWS_SECRET not in text, f.tool
    assert "[redacted:sha256:" in out[1].message and "[redacted:sha256:" in out[1].rule.full_description
    assert out[1].properties["nested"]["lines"][0].startswith("x = 'wJal…")
    assert out[2].message.startswith("value wJal…[redacted")


def test_quoted_literals_in_secret_findings_are_masked_even_without_a_source(tmp_path: Path):
    f = finding("bandit", "B105", "Possible hardcoded password: 'changeme-shop-secret'", 3, cwe=("CWE-259",))
    assert is_secret(f)
    (out,) = redact([f], tmp_path)
    assert "changeme-shop-secret" not in out.message and "redacted" in out.message
    plain = finding("bandit", "B608", "Possible SQL injection: 'SELECT name FROM t'", 3)
    (kept,) = redact([plain], tmp_path)
    assert kept.message == plain.message  # not a secret finding: quoted SQL stays readable


def test_token_shapes_and_private_keys_are_masked_anywhere():
    pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPH\n-----END RSA PRIVATE KEY-----"
    text = redact_text(f"token {TOKEN} and AKIAIOSFODNN7EXAMPLE then\n{pem}")
    assert TOKEN not in text and "AKIAIOSFODNN7EXAMPLE" not in text and "MIIEowIBAAKCAQEAu1SU1LfVLPH" not in text
    assert "-----BEGIN RSA PRIVATE KEY-----" in text and text.count("[redacted:sha256:") == 3
    assert redact_text("nothing secret here") == "nothing secret here"


def test_masked_values_from_tools_are_not_collected(tmp_path: Path):
    (tmp_path / "settings.py").write_text('GITHUB_TOKEN = "****************************************"\n')
    f = finding("trivy", "github-pat", 'GitHub token (GITHUB_TOKEN = "****")', 1, Category.SECRET, ("CWE-798",))
    assert secret_values([f], tmp_path) == set()


def test_a_value_made_of_letters_is_masked_where_it_stands_as_a_value_not_in_sentences(tmp_path: Path):
    """flask's tests log in with the password "password": masking the word everywhere turned bandit's
    "Possible hardcoded password: 'None'" (another finding) into "Possible hardcoded …[redacted…]"."""
    (tmp_path / "test_auth.py").write_text('client.post("/login", data={"username": "a", "password": "password"})\n')
    secret = finding("semgrep", "hardcoded-password", "credential", 1, Category.SECRET, ("CWE-798",),
                     path="test_auth.py")
    other = finding("bandit", "B105", "Possible hardcoded password: 'None'", 7, cwe=("CWE-259",), path="app.py")
    assert "password" in secret_values([secret], tmp_path)
    out = redact([secret, other], tmp_path)
    assert out[1].message == "Possible hardcoded password: 'None'"
    assert out[1].rule.full_description == "Possible hardcoded password: 'None'"
    text = redact_text('x = "password"; y: password; z=password. the password-reset page, f=password.txt',
                       ["password"])
    assert text.count("[redacted:sha256:") == 3 and "the password-reset page, f=password.txt" in text
    assert "hunter22" not in redact_text("in a sentence: the hunter22 value", ["hunter22"])  # not letters only


def test_guards_own_waiver_reasons_are_kept_and_skip_comments_are_redacted(tmp_path: Path):
    """guard's reason for a placeholder waiver names `changeme` as an example: masked as a literal of a
    secret finding, or as a value found on a scanned line, it read `…[redacted:...]`. A reason taken
    from a skip comment is redacted as any other text."""
    (tmp_path / ".env").write_text(f'SECRET_KEY=changeme\nAWS_SECRET_ACCESS_KEY="{AWS_SECRET}"\n')
    reason = "guard: a placeholder for the real value (`changeme`, `<your token>`), not a secret"
    waived = finding("detect-secrets", "secret-keyword", "Secret Keyword in .env", 1, Category.SECRET, ("CWE-798",),
                     path=".env", inline_waiver=reason)
    leaked = finding("detect-secrets", "secret-keyword", "Secret Keyword in .env", 2, Category.SECRET, ("CWE-798",),
                     path=".env", inline_waiver=f"skip comment '{AWS_SECRET}'")
    out = redact([waived, leaked], tmp_path)
    assert out[0].properties["inline_waiver"] == reason
    assert AWS_SECRET not in out[1].properties["inline_waiver"] and "redacted" in out[1].properties["inline_waiver"]


def test_a_value_guard_judged_no_credential_is_not_masked_elsewhere(tmp_path: Path):
    """wrongsecrets: `privateKeyFilePath = "src/test/resources/key.pem"` is a keyword hit guard waives; its
    value masked the path in detect-secrets' message about the key file itself."""
    (tmp_path / "Challenge.java").write_text('String privateKeyFilePath = "src/test/resources/key.pem";\n')
    reason = "guard: the key names where a secret is (`secretName`, `password_file`), not the secret"
    keyword = finding("detect-secrets", "secret-keyword", "Secret Keyword in Challenge.java", 1, Category.SECRET,
                      path="Challenge.java", inline_waiver=reason)
    key = finding("detect-secrets", "private-key", "Private Key in src/test/resources/key.pem", 1, Category.SECRET,
                  path="src/test/resources/key.pem")
    assert secret_values([keyword, key], tmp_path) == set()
    assert redact([keyword, key], tmp_path)[1].message == key.message
    unwaived = finding("detect-secrets", "secret-keyword", "Secret Keyword in Challenge.java", 1, Category.SECRET,
                       path="Challenge.java")
    assert secret_values([unwaived], tmp_path) == {"src/test/resources/key.pem"}


def test_a_secret_findings_rule_texts_keep_their_quoted_words(tmp_path: Path):
    """trivy's DS-0031 title quotes `build-args`: a tool's titles and descriptions carry no value to mask."""
    f = finding("trivy", "DS-0031", "Possible exposure of secret env \"DB_PASSWORD\" in ENV", 3, Category.CONTAINER,
                ("CWE-798",), path="Dockerfile")
    title = "DS-0031: Secrets passed via `build-args` or envs or copied secret files"
    rule = Rule(id="DS-0031", name="DS-0031", short_description=title, full_description=title, help_text=title)
    (out,) = redact([evolve(f, rule=rule)], tmp_path)
    assert out.rule.short_description == title
    assert "DB_PASSWORD" not in out.message  # the finding's own message still masks its quoted values


def test_an_infrastructure_check_of_secrets_spanning_a_resource_does_not_make_its_values_secret(tmp_path: Path):
    """checkov's CKV_K8S_35 (CWE-312) spans a whole Deployment: its namespace and image were masked in
    every finding about the manifest."""
    (tmp_path / "deploy.yaml").write_text("apiVersion: apps/v1\nmetadata:\n  namespace: $OKTETO_NAMESPACE\n"
                                          "spec:\n  image: jeroenwillemsen/wrongsecrets:1.13\n  API_KEY: Kx81bqLw9zQ-aa\n")
    check = finding("checkov", "CKV_K8S_35", "Prefer using secrets as files", 1, Category.IAC, ("CWE-312",),
                    path="deploy.yaml")
    check = evolve(check, location=Location("deploy.yaml", 1, 6))
    assert secret_values([check], tmp_path) == set()
    literal = finding("guard-policy", "GUARD-SEC-002", "API_KEY is set to a literal", 6, Category.IAC, ("CWE-798",),
                      path="deploy.yaml")
    assert secret_values([literal], tmp_path) == {"Kx81bqLw9zQ-aa"}  # a check pointing at a line: its values
