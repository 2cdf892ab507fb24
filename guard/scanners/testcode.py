"""Which repository files are test code: where an assert is the test's check and a literal password is
test data (bandit's B101 and B105-B107, detect-secrets' keyword hits)."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

_TEST_FOLDERS = frozenset({"test", "tests", "__tests__", "spec", "specs", "e2e", "testdata", "testing"})
_TEST_FILE = re.compile(r"test_.+\.py|.+_test\.(py|go)|conftest\.py|.+\.(test|spec)\.[cm]?[jt]sx?"
                        r"|.+Tests?\.(java|kt|cs)|.+_spec\.rb")


def is_test_code(rel: str) -> bool:
    """Whether the repository path `rel` is a test file or lies in a test folder."""
    path = PurePosixPath(rel)
    folders = {p.lower() for p in path.parts[:-1]}
    return _TEST_FILE.fullmatch(path.name) is not None or not _TEST_FOLDERS.isdisjoint(folders)
