import os


def publish(path):
    # ruleid: guard.python.permissive-file-permissions
    os.chmod(path, 0o777)


def publish_ro(path):
    # ruleid: guard.python.permissive-file-permissions
    os.chmod(path, 0o666)


def private(path):
    # ok: guard.python.permissive-file-permissions
    os.chmod(path, 0o600)


def shared(path):
    # ok: guard.python.permissive-file-permissions
    os.makedirs(path, 0o750, exist_ok=True)
