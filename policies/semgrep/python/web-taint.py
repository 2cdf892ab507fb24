from pathlib import Path

import jinja2
import requests
from flask import Flask, redirect, render_template_string, request, url_for

app = Flask(__name__)


@app.route("/import")
def import_feed():
    feed_url = request.form.get("feed_url", "")
    # ruleid: guard.python.ssrf
    data = requests.get(feed_url, timeout=5).content
    return str(len(data))


@app.route("/status")
def status():
    # ok: guard.python.ssrf
    return requests.get("https://status.example.com/api", timeout=5).text


@app.route("/login", methods=["POST"])
def login():
    # ruleid: guard.python.open-redirect
    return redirect(request.args.get("next", "/"))


@app.route("/logout")
def logout():
    # ok: guard.python.open-redirect
    return redirect(url_for("index"))


@app.route("/search")
def search():
    term = request.args.get("q", "")
    # ruleid: guard.python.template-injection
    return render_template_string("<h1>Results for " + term + "</h1>")


def render_email(template_name, context):
    template_str = (Path(__file__).parent / "email-templates" / template_name).read_text()
    # ok: guard.python.template-injection
    return jinja2.Template(template_str).render(context)


@app.route("/search2")
def search_ok():
    # ok: guard.python.template-injection
    return render_template_string("<h1>Results for {{ q }}</h1>", q=request.args.get("q", ""))
