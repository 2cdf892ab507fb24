import sqlite3

conn = sqlite3.connect("shop.db")


def by_email(email):
    cur = conn.cursor()
    # ruleid: guard.python.sql-injection
    cur.execute("SELECT * FROM users WHERE email = '%s'" % email)
    return cur.fetchone()


def search(term):
    # ruleid: guard.python.sql-injection
    return conn.execute("SELECT id FROM products WHERE name LIKE '%" + term + "%'").fetchall()


def by_id(pid):
    # ruleid: guard.python.sql-injection
    return conn.execute(f"SELECT * FROM products WHERE id = {pid}").fetchone()


def delete(pid):
    sql = "DELETE FROM products WHERE id = {}".format(pid)
    # ruleid: guard.python.sql-injection
    conn.execute(sql)


def safe(email):
    # ok: guard.python.sql-injection
    return conn.execute("SELECT * FROM users WHERE email = ?", (email,)).fetchone()


def constant():
    # ok: guard.python.sql-injection
    return conn.execute("SELECT count(*) FROM products").fetchone()
