"""guard: policy-as-code security and compliance scanner."""

__version__ = "0.1.0"
