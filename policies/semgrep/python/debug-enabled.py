import os

from flask import Flask

app = Flask(__name__)

# ruleid: guard.python.debug-enabled
DEBUG = True

if __name__ == "__main__":
    # ruleid: guard.python.debug-enabled
    app.run(host="0.0.0.0", port=5000, debug=True)


def serve():
    # ok: guard.python.debug-enabled
    app.run(debug=os.environ.get("SHOP_DEBUG") == "1")
