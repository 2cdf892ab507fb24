"""Tool lock files: every package pinned with artifact hashes, and pip refuses a wrong hash."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from guard.tools.catalog import TOOLS, ToolSpec
from guard.tools.envs import ToolInstallError, env_dir, install

PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)$")
HASH = re.compile(r"^--hash=sha256:(?P<digest>[0-9a-f]{64})$")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirements(lock: str) -> list[tuple[str, str, list[str]]]:
    """(name, version, sha256 digests) for each requirement of a lock (continuation lines joined)."""
    logical = re.sub(r"\\\n", " ", lock)
    out = []
    for line in logical.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        pin, *options = line.split()
        match = PIN.match(pin)
        assert match, f"not an exact pin: {line!r}"
        digests = []
        for option in options:
            found = HASH.match(option)
            assert found, f"unexpected option {option!r} in {pin}"
            digests.append(found["digest"])
        out.append((_norm(match["name"]), match["version"], digests))
    return out


@pytest.mark.parametrize("name", sorted(TOOLS))
def test_every_lock_line_is_an_exact_pin_with_hashes(name: str) -> None:
    spec = TOOLS[name]
    reqs = _requirements(spec.lock())
    names = [n for n, _, _ in reqs]
    assert len(names) == len(set(names)), f"{name}: a package is pinned twice"
    for pkg, version, digests in reqs:
        assert digests, f"{name}: {pkg}=={version} has no --hash=sha256"
    pinned = {n: v for n, v, _ in reqs}
    assert pinned.get(_norm(spec.package)) == spec.version, f"{name}: {spec.package} not at catalog version"
    header = [line for line in spec.lock().splitlines() if line.startswith("#")]
    assert any(f"guard/tools/locks/regenerate.sh {name}" in line for line in header), f"{name}: header"


@dataclass(frozen=True)
class _LockText(ToolSpec):
    """A catalog tool installed from a given lock text instead of its packaged lock."""

    text: str = ""

    def lock(self) -> str:
        return self.text


def test_install_fails_when_a_hash_does_not_match(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path))
    spec = TOOLS["zizmor"]
    genuine = {d for _, _, ds in _requirements(spec.lock()) for d in ds}
    # Every digest altered in its last hex digit: whichever file pip picks, its hash cannot match.
    corrupted = re.sub(r"(--hash=sha256:[0-9a-f]{63})([0-9a-f])",
                       lambda m: m[1] + ("0" if m[2] != "0" else "1"), spec.lock())
    assert not genuine & {d for _, _, ds in _requirements(corrupted) for d in ds}
    tampered = _LockText(spec.name, spec.package, spec.version, spec.executable, text=corrupted)

    with pytest.raises(ToolInstallError) as err:
        install(tampered)

    message = str(err.value)
    assert message.startswith("zizmor: pip install failed")
    # pip reports the real digest of the file it downloaded: one of the genuine lock's hashes.
    assert any(digest in message for digest in genuine), message
    assert not (env_dir(tampered) / ".guard-complete").exists()


def test_install_refuses_a_lock_without_hashes(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path))
    spec = TOOLS["zizmor"]
    genuine = {d for _, _, ds in _requirements(spec.lock()) for d in ds}
    bare = _LockText(spec.name, spec.package, spec.version, spec.executable,
                     text=f"{spec.package}=={spec.version}\n")

    with pytest.raises(ToolInstallError) as err:
        install(bare)

    message = str(err.value)
    assert message.startswith("zizmor: pip install failed")
    assert any(digest in message for digest in genuine), message
