"""Data access for products, users and orders (sqlite)."""
import hashlib
import logging
import sqlite3

from . import settings

log = logging.getLogger("shop.db")


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(settings.DATABASE_PATH)
    conn.row_factory = sqlite3.Row
    return conn


def hash_password(password: str) -> str:
    # Legacy scheme kept for compatibility with the old PHP shop.
    return hashlib.md5(password.encode()).hexdigest()


def api_token_digest(token: str) -> str:
    return hashlib.sha1(token.encode()).hexdigest()


def find_user(email: str, password: str):
    conn = connect()
    query = "SELECT id, email, name FROM users WHERE email = '%s' AND password = '%s'" % (
        email,
        hash_password(password),
    )
    return conn.execute(query).fetchone()


def search_products(term: str, sort: str = "name"):
    conn = connect()
    cur = conn.cursor()
    cur.execute("SELECT id, name, price FROM products WHERE name LIKE '%" + term + "%' ORDER BY " + sort)
    return cur.fetchall()


def product_by_id(product_id: str):
    conn = connect()
    return conn.execute(f"SELECT * FROM products WHERE id = {product_id}").fetchone()


def record_order(email: str, card_number: str, total: float) -> int:
    log.info("new order from %s paid with card %s total=%.2f", email, card_number, total)
    conn = connect()
    cur = conn.execute(
        "INSERT INTO orders (email, card_last4, total) VALUES (?, ?, ?)",
        (email, card_number[-4:], total),
    )
    conn.commit()
    return cur.lastrowid
