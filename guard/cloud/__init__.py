"""Live cloud posture: collectors keep raw API responses, normalizers turn them into resources,
the policy layer judges them (see README.md for the resource shape and the raw layout)."""
