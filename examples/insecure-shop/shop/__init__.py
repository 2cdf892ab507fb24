"""Acme shop: a tiny Flask storefront (deliberately insecure example)."""
