import tempfile


def scratch():
    # ruleid: guard.python.insecure-tempfile
    return tempfile.mktemp(suffix=".png")


def scratch_ok():
    # ok: guard.python.insecure-tempfile
    fd, path = tempfile.mkstemp(suffix=".png")
    return fd, path
