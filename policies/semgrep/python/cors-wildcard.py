from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
# ruleid: guard.python.cors-wildcard
CORS(app, origins="*")

# ok: guard.python.cors-wildcard
CORS(app, origins=["https://shop.example.com"])

api = FastAPI()
# ruleid: guard.python.cors-wildcard
api.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)


@app.after_request
def headers(resp):
    # ruleid: guard.python.cors-wildcard
    resp.headers["Access-Control-Allow-Origin"] = "*"
    # ok: guard.python.cors-wildcard
    resp.headers["X-Frame-Options"] = "DENY"
    return resp
