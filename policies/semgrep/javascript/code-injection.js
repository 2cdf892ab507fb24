const vm = require("vm");

function calc(req, res) {
  // ruleid: guard.javascript.code-injection
  res.send(String(eval(req.query.expr)));
}

function plugin(source) {
  // ruleid: guard.javascript.code-injection
  return new Function("ctx", source);
}

function later(name) {
  // ruleid: guard.javascript.code-injection
  setTimeout("greet('" + name + "')", 100);
}

function laterOk(name) {
  // ok: guard.javascript.code-injection
  setTimeout(() => greet(name), 100);
}

function calcOk(req, res) {
  // ok: guard.javascript.code-injection
  res.send(String(JSON.parse(req.query.expr)));
}
