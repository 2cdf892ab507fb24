"""Offline vulnerability advisories: an OSV store, its import, and version-range matching."""
