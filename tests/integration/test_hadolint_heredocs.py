"""hadolint (real tool) on BuildKit heredocs whose terminator another line follows directly, or whose
`<<-` terminator is indented with tabs: its parser failed the whole file there (DL1000, no other check
ran); guard lints a copy with a blank line after each such terminator and those tabs removed, and reports
hadolint's findings at the file's own lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.scanners.hadolint import HadolintScanner, HeredocFixes, heredoc_fixes
from guard.tools.envs import resolve
from tests.conftest import scanned, write_files

FILES = {
    "app/Dockerfile": (
        "# syntax=docker/dockerfile:1.4\n"   # 1
        "FROM debian:12 AS base\n"           # 2
        "RUN <<EOF\n"                        # 3
        "apt-get update\n"                   # 4
        "apt-get install -y git\n"           # 5
        "EOF\n"                              # 6
        "# the tools\n"                      # 7: a comment right after the terminator
        "RUN <<TOOLS\n"                      # 8
        "echo tools\n"                       # 9
        "TOOLS\n"                            # 10
        "COPY --from=base / /\n"             # 11: an instruction right after the terminator
        "RUN apt-get install -y curl\n"      # 12
    ),
    "ok/Dockerfile": "FROM debian:12\nRUN <<EOF\napt-get install -y git\nEOF\n\nCMD [\"x\"]\n",
    # `<<-`: the body and the terminator indented with tabs, which the shell strips
    "tabs/Dockerfile": "FROM debian:12\nRUN <<-EOF\n\tapt-get install -y git\n\tEOF\nRUN apt-get install -y curl\n",
    # syntax hadolint's parser lacks even so: two bodies in one RUN, a body with its tabs stripped
    "more/Dockerfile": "FROM debian:12\nRUN <<-ONE cat <<TWO\n\techo one\n\tONE\necho two\nTWO\nCMD [\"x\"]\n",
}


def test_terminators_followed_directly_or_indented_are_found(tmp_path: Path) -> None:
    write_files(tmp_path, FILES)
    found = heredoc_fixes(tmp_path, sorted(FILES))
    assert found == {"app/Dockerfile": HeredocFixes([5, 9], []), "more/Dockerfile": HeredocFixes([5], [3]),
                     "tabs/Dockerfile": HeredocFixes([3], [3])}
    assert [FILES[rel].splitlines()[i] for rel, fixes in found.items() for i in fixes.followed] == \
        ["EOF", "TOOLS", "TWO", "\tEOF"]


@pytest.mark.skipif(resolve("hadolint") is None, reason="hadolint not installed")
def test_findings_come_at_the_files_own_lines(tmp_path: Path) -> None:
    run = scanned(HadolintScanner, tmp_path, FILES)
    found = {(f.location.path, f.rule.id, f.location.start_line) for f in run.findings}
    assert {("app/Dockerfile", "DL3008", 3), ("app/Dockerfile", "DL3067", 11), ("app/Dockerfile", "DL3008", 12),
            ("ok/Dockerfile", "DL3008", 2), ("tabs/Dockerfile", "DL3008", 2), ("tabs/Dockerfile", "DL3008", 5)} <= found
    not_parsed = [f for f in run.findings if f.rule.id == "DL1000"]
    assert [f.location.path for f in not_parsed] == ["more/Dockerfile"]  # reported, as not checked: low
    assert not_parsed[0].severity.value == "low" and "none of its checks ran" in not_parsed[0].rule.short_description
    assert (tmp_path / "app/Dockerfile").read_text() == FILES["app/Dockerfile"]  # linted as a copy
