async function findUser(pool, email) {
  // ruleid: guard.javascript.sql-injection
  return pool.query("SELECT * FROM users WHERE email = '" + email + "'");
}

async function product(db, id) {
  // ruleid: guard.javascript.sql-injection
  return db.all(`SELECT * FROM products WHERE id = ${id}`);
}

async function findUserOk(pool, email) {
  // ok: guard.javascript.sql-injection
  return pool.query("SELECT * FROM users WHERE email = $1", [email]);
}

async function countOk(pool) {
  // ok: guard.javascript.sql-injection
  return pool.query("SELECT count(*) FROM products");
}
