"""trivy's DS-0031 flags every ENV/ARG whose name holds a secret word: one set to a boolean or a
number is waived (listed, never dropped); a literal or a variable reference stays a finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.model import Category, Finding, Location, Rule, Severity
from guard.scanners.trivy import SETTING_REASON, TrivyScanner, _setting_waived
from guard.tools.envs import resolve
from tests.conftest import scanned

DOCKERFILE = """FROM python:3.12-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000
ARG DB_PASSWORD_LENGTH=32
ENV AZURE_KEY_VAULT_ENABLED=false
ENV TOKEN_TTL 3600
ENV DOCKER_ENV_PASSWORD="This is it"
ENV API_TOKEN=$BUILD_TOKEN
ENV ADMIN_PASSWORD=123456
USER 1000
"""


@pytest.mark.skipif(resolve("trivy") is None, reason="trivy not installed (guard tools install trivy)")
def test_booleans_and_numbers_are_waived_literals_and_references_stay(tmp_path: Path) -> None:
    run = scanned(TrivyScanner, tmp_path, {"Dockerfile": DOCKERFILE})
    flagged = {f.location.start_line: f.properties.get("inline_waiver") for f in run.findings if f.rule_id == "DS-0031"}
    assert flagged == {2: SETTING_REASON, 3: SETTING_REASON, 4: SETTING_REASON, 5: None, 6: None, 7: None}


def finding(name: str, line: int) -> Finding:
    rule = Rule("DS-0031", "DS-0031", "t", "t", "t")
    return Finding(tool="trivy", rule=rule, message=f'Possible exposure of secret env "{name}" in ENV',
                   severity=Severity.CRITICAL, category=Category.CONTAINER, location=Location("Dockerfile", line, line))


@pytest.mark.parametrize(("line", "waived"), [
    ("ENV A=1 SECRET_KEY_ENABLED=true B=2", True),
    ("ENV SECRET_KEY_ENABLED='off'", True),
    ("ENV SECRET_KEY_ENABLED=true-ish", False),
    ("ENV SECRET_KEY_ENABLED=falsehood", False),
    ("ENV OTHER=false SECRET_KEY_ENABLED=s3cr3t", False),  # the other variable's value does not count
    ("ENV SECRET_KEY_ENABLED=1234", False),  # a number under a name of no measure may be a PIN
])
def test_the_value_is_read_for_the_named_variable(line: str, waived: bool) -> None:
    out = _setting_waived(finding("SECRET_KEY_ENABLED", 1), line + "\n")
    assert (out.properties.get("inline_waiver") == SETTING_REASON) is waived
