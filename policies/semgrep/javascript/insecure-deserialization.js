const serialize = require("node-serialize");

function restoreCart(req) {
  const raw = Buffer.from(req.cookies.cart, "base64").toString();
  // ruleid: guard.javascript.insecure-deserialization
  return serialize.unserialize(raw);
}

function restoreCartOk(req) {
  const raw = Buffer.from(req.cookies.cart, "base64").toString();
  // ok: guard.javascript.insecure-deserialization
  return JSON.parse(raw);
}
