import os
import subprocess


def thumbnail(filename, out):
    # ruleid: guard.python.subprocess-shell-injection
    subprocess.call("convert uploads/%s -resize 128x128 %s" % (filename, out), shell=True)


def export(fmt):
    # ruleid: guard.python.subprocess-shell-injection
    return subprocess.check_output("shop-export --format " + fmt, shell=True)


def export_safe(fmt):
    # ok: guard.python.subprocess-shell-injection
    return subprocess.check_output(["shop-export", "--format", fmt])


def constant_shell():
    # ok: guard.python.subprocess-shell-injection
    subprocess.run("ls -l /var/log | wc -l", shell=True, check=True)


def ping(host):
    # ruleid: guard.python.os-command-injection
    os.system("ping -c 1 " + host)


def cleanup():
    # ok: guard.python.os-command-injection
    os.system("rm -rf /tmp/shop-cache")
