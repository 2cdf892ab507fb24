"""Helm charts in a tree: the chart a folder belongs to, and which files are its templates."""

from __future__ import annotations

from pathlib import Path, PurePosixPath


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
