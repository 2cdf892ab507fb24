"""Lockfile and SBOM readers: each turns one file format into pinned dependencies with file and line."""
