"""Reference productcatalog for bench/services.sh.

A Flask app served by Werkzeug's threaded server, as the original Python service ran
(`python3 -m flask run`): an in-memory product dict, CORS for any origin, a log line per
request, and catalogdetail fetched with `requests.get` (a new connection per call) on every
product list. Written for the benchmark from the contract; it is not the original's code.
"""
import logging
import os

import requests
from flask import Flask, jsonify, request
from flask_cors import CORS

app = Flask(__name__)
CORS(app, resources={r"/*": {"origins": "*"}})
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
log = logging.getLogger("productcatalog")

AGG_APP_URL = os.environ.get("AGG_APP_URL", "http://localhost:3000/catalogDetail")
products = {}


@app.get("/products/")
def list_products():
    details = requests.get(AGG_APP_URL, timeout=5).json()
    log.info("Get-All Request succeeded")
    return jsonify(products=products, details=details)


@app.get("/products/ping")
def ping():
    return jsonify("healthy")


@app.post("/products/<int:product_id>")
def add_product(product_id):
    body = request.get_json(silent=True) or {}
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        return jsonify(message="Field 'name' is required"), 400
    products[str(product_id)] = name
    log.info("Post Request succeeded %s", name)
    return jsonify(status="New Product added to Product Catalog", name=name)


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")), threaded=True)
