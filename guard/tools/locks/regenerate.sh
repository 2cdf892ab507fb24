#!/usr/bin/env bash
# Regenerate guard's tool lock files: each tool's package at the version in guard/tools/catalog.py,
# every package of the current lock at its current version (edit a pin there to move it), and the
# sha256 of every file PyPI has for each pinned release (any platform pip may choose), for
# `pip install --require-hashes`.
# Needs pip-tools (`pip install pip-tools`) and the guard package importable.
# Usage: guard/tools/locks/regenerate.sh [TOOL...]   (default: every tool)
set -euo pipefail
locks="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ $# -eq 0 ]; then
  set -- $(python -c 'from guard.tools.catalog import TOOLS; print(" ".join(TOOLS))')
fi
for tool in "$@"; do
  python -c "import sys; from guard.tools.catalog import TOOLS; s = TOOLS[sys.argv[1]]; print(f'{s.package}=={s.version}')" \
    "$tool" > "$work/$tool.in"
  # Every current pin is kept (extras such as bandit[sarif] pulled in more than the package needs).
  grep -oE '^[A-Za-z0-9][A-Za-z0-9._-]*==[^ \\]+' "$locks/$tool.txt" >> "$work/$tool.in"
  # Only PyPI: no local indexes or wheel folders from pip's configuration.
  (cd "$work" && PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= \
    CUSTOM_COMPILE_COMMAND="guard/tools/locks/regenerate.sh $tool" pip-compile --quiet --no-config \
    --generate-hashes --allow-unsafe --strip-extras --no-annotate \
    --index-url https://pypi.org/simple --no-emit-index-url --no-emit-find-links \
    --output-file "$tool.txt" "$tool.in")
  { echo "# Exact versions and artifact hashes for guard's isolated $tool environment."; cat "$work/$tool.txt"; } \
    > "$locks/$tool.txt"
done
