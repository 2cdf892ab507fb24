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

function poll(scanId) {
  // ok: guard.javascript.code-injection
  const timer = setInterval(function () {
    console.log("scan " + scanId + " still running");
  }, 1000);
  // ok: guard.javascript.code-injection
  setTimeout(() => {
    clearInterval(timer);
    console.log("stopped " + scanId);
  }, 60000);
  // ok: guard.javascript.code-injection
  setTimeout(() => console.log("done " + scanId), 70000);
}
