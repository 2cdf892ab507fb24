import yaml


def load_catalog(raw):
    # ruleid: guard.python.yaml-unsafe-load
    return yaml.load(raw)


def load_catalog_full(raw):
    # ruleid: guard.python.yaml-unsafe-load
    return yaml.load(raw, Loader=yaml.Loader)


def load_catalog_safe(raw):
    # ok: guard.python.yaml-unsafe-load
    return yaml.load(raw, Loader=yaml.SafeLoader)


def load_catalog_safe2(raw):
    # ok: guard.python.yaml-unsafe-load
    return yaml.safe_load(raw)
