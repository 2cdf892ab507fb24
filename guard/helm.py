"""Helm charts in a tree: the chart a folder belongs to, which files are its templates, a chart's other
files, and the Helm client on PATH that renders charts."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Sequence

from guard.files import list_files, list_given


class Charts:
    """The charts of the tree under `target` (repository-relative folders holding a Chart.yaml), looked
    up as asked and remembered."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self._chart: dict[PurePosixPath, PurePosixPath | None] = {}  # folder -> the chart it is in

    def chart_of(self, folder: PurePosixPath) -> PurePosixPath | None:
        """The nearest folder at or above `folder` holding a Chart.yaml, or None."""
        if folder not in self._chart:
            if (self.target / folder / "Chart.yaml").is_file():
                self._chart[folder] = folder
            else:
                self._chart[folder] = None if folder == folder.parent else self.chart_of(folder.parent)
        return self._chart[folder]

    def is_template(self, rel: str) -> bool:
        """Whether `rel` is under its chart's `templates/`: a Go template, YAML only once Helm renders it."""
        path = PurePosixPath(rel)
        chart = self.chart_of(path.parent)
        return chart is not None and path.relative_to(chart).parts[0] == "templates"


def chart_files(target: Path, files: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """The other files (as guard lists files) of the Helm charts holding any of `files`: the folders
    with a Chart.yaml at or above them."""
    charts: set[PurePosixPath] = set()
    found = Charts(target)
    for f in files:
        chart = found.chart_of(PurePosixPath(f).parent)
        if chart is not None:
            charts.add(chart)
    chosen = set(files)
    candidates = [f"{chart}/{rel}" if str(chart) != "." else rel
                  for chart in sorted(charts) for rel in list_files(target / chart).files]
    return [f for f in list_given(target, candidates, exclude).files if f not in chosen]


_HELM_VERSION = re.compile(r'Version:"?(v[34]\.[^",}\s]*)')


@lru_cache(maxsize=1)
def helm_client() -> str | None:
    """The version of the Helm client (3 or 4) on PATH that renders charts (as checkov looks for it:
    `helm version`), or None when there is none."""
    exe = shutil.which("helm")
    if exe is None:
        return None
    try:
        out = subprocess.run([exe, "version"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    match = _HELM_VERSION.search(out.stdout)
    return match.group(1) if match else None
