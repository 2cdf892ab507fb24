"""Helm charts and checkov: a chart's templates are Go templates, which checkov checks only as the chart
rendered by the `helm` client on PATH. Without one it checked none of them, yet its Kubernetes checks
counted as run over them (controls they map to passed on a chart nothing had read)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterator

import pytest

from guard import config as config_mod
from guard.helm import helm_client
from guard.scanners.checkov import CheckovScanner, sniffed_frameworks
from guard.tools.envs import resolve
from tests.conftest import scanned, write_files

PRIVILEGED_POD = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: web\n"
                  "    image: nginx:1.27\n    securityContext:\n      privileged: true\n")
CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: demo\nversion: 0.1.0\n",
    "chart/values.yaml": "privileged: true\n",
    "chart/templates/_helpers.tpl": '{{- define "demo.name" -}}demo{{- end }}\n',
    "chart/templates/pod.yaml": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ include \"demo.name\" . }}\nspec:\n"
                                 "  containers:\n  - name: web\n    image: nginx:1.27\n    securityContext:\n"
                                 "      privileged: {{ .Values.privileged }}\n"),
    "chart/templates/service.yaml": ("apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n"
                                     "spec:\n  ports:\n  - port: 80\n"),
}
no_helm = pytest.mark.skipif(helm_client() is not None, reason="a Helm client is on PATH: checkov renders charts")
needs_checkov = pytest.mark.skipif(resolve("checkov") is None, reason="checkov not installed")


@needs_checkov
@no_helm
def test_without_helm_a_chart_is_reported_not_checked_and_no_kubernetes_check_counts_for_it(tmp_path: Path) -> None:
    run = scanned(CheckovScanner, tmp_path, CHART)
    assert [(f.rule_id, f.location.path) for f in run.findings] == [
        ("checkov/chart-not-rendered", "chart/templates/pod.yaml")]
    message = run.findings[0].message
    assert "2 template(s) of the chart in chart/" in message and "chart/templates/service.yaml" in message
    assert not any(r.id.startswith("CKV_K8S") for r in run.checks)


@needs_checkov
@no_helm
def test_without_helm_plain_manifests_beside_a_chart_are_still_checked(tmp_path: Path) -> None:
    run = scanned(CheckovScanner, tmp_path, {**CHART, "k8s/pod.yaml": PRIVILEGED_POD})
    privileged = {f.location.path for f in run.findings if f.rule_id == "CKV_K8S_16"}
    assert privileged == {"k8s/pod.yaml"}
    assert any(r.id == "CKV_K8S_16" for r in run.checks)
    assert [f.location.path for f in run.findings if f.rule_id == "checkov/chart-not-rendered"] == \
        ["chart/templates/pod.yaml"]


@needs_checkov
@no_helm
def test_a_chart_at_the_top_of_the_repository(tmp_path: Path) -> None:
    files = {name.removeprefix("chart/"): text for name, text in CHART.items()}
    run = scanned(CheckovScanner, tmp_path, files)
    assert [f.location.path for f in run.findings] == ["templates/pod.yaml"]
    assert "the chart at the top of the repository" in run.findings[0].message


@no_helm
def test_without_helm_templates_are_no_kubernetes_evidence(tmp_path: Path) -> None:
    write_files(tmp_path, CHART)
    assert sniffed_frameworks(tmp_path, sorted(CHART)) == []
    write_files(tmp_path, {"k8s/pod.yaml": PRIVILEGED_POD})
    assert sniffed_frameworks(tmp_path, [*sorted(CHART), "k8s/pod.yaml"]) == ["kubernetes"]


@pytest.fixture
def helm_on_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A `helm` on PATH answering `helm version` as Helm 3 does (it renders nothing: only the probe is tested)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helm = bin_dir / "helm"
    helm.write_text('#!/bin/sh\necho \'version.BuildInfo{Version:"v3.16.2", GitCommit:"13654a5", '
                    'GitTreeState:"clean", GoVersion:"go1.22.7"}\'\n')
    helm.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    helm_client.cache_clear()
    yield "v3.16.2"
    helm_client.cache_clear()


def test_a_helm_client_on_path_is_found_with_its_version(helm_on_path: str) -> None:
    assert helm_client() == helm_on_path


def test_an_old_or_broken_helm_renders_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "helm").write_text('#!/bin/sh\necho \'Client: &version.Version{SemVer:"v2.17.0"}\'\n')
    (bin_dir / "helm").chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    helm_client.cache_clear()
    try:
        assert helm_client() is None
    finally:
        helm_client.cache_clear()


def test_with_helm_a_changed_template_is_checked_in_its_whole_chart(tmp_path: Path, helm_on_path: str) -> None:
    repo = tmp_path / "repo"
    write_files(repo, {**CHART, "k8s/pod.yaml": PRIVILEGED_POD})
    scanner = CheckovScanner(config_mod.load(repo, flags={"cache": False}))
    assert sniffed_frameworks(repo, ["chart/templates/pod.yaml"]) == ["helm"]
    assert set(scanner.context(repo, ["chart/templates/pod.yaml"])) == {
        "chart/Chart.yaml", "chart/values.yaml", "chart/templates/_helpers.tpl", "chart/templates/service.yaml"}
    assert scanner.unrendered(repo, ["chart/templates/pod.yaml"]) == {}
