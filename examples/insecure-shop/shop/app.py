"""HTTP routes of the shop."""
import base64

from flask import Flask, jsonify, redirect, render_template_string, request

from . import db, integrations, settings

app = Flask(__name__)
app.config["SECRET_KEY"] = settings.SECRET_KEY


@app.route("/login", methods=["POST"])
def login():
    user = db.find_user(request.form["email"], request.form["password"])
    if user is None:
        return jsonify(error="invalid credentials"), 401
    return redirect(request.args.get("next", "/"))


@app.route("/search")
def search():
    term = request.args.get("q", "")
    rows = db.search_products(term, request.args.get("sort", "name"))
    return render_template_string(
        "<h1>Results for " + term + "</h1><ul>{% for r in rows %}<li>{{ r.name }}</li>{% endfor %}</ul>",
        rows=rows,
    )


@app.route("/product/<product_id>")
def product(product_id):
    return jsonify(dict(db.product_by_id(product_id) or {}))


@app.route("/cart", methods=["POST"])
def restore_cart():
    cart = integrations.load_cart(base64.b64decode(request.cookies.get("cart", "")))
    return jsonify(items=cart)


@app.route("/checkout", methods=["POST"])
def checkout():
    form = request.form
    result = integrations.charge(form["card"], form["cvv"], float(form["total"]), form["email"])
    order_id = db.record_order(form["email"], form["card"], float(form["total"]))
    return jsonify(order=order_id, payment=result)


@app.route("/admin/import", methods=["POST"])
def import_catalog():
    catalog = integrations.load_catalog(request.data.decode())
    feed = integrations.fetch_supplier_feed(request.form.get("feed_url", ""))
    return jsonify(products=len(catalog), feed_bytes=len(feed))


@app.route("/admin/thumbnail")
def thumbnail():
    return jsonify(path=integrations.make_thumbnail(request.args["file"]))


@app.route("/admin/export")
def export():
    return integrations.export_orders(request.args.get("format", "csv"))


@app.route("/admin/eval")
def calculator():
    return str(eval(request.args.get("expr", "0")))


if __name__ == "__main__":
    app.run(host="0.0.0.0", port=5000, debug=True)
