function login(req, res) {
  // ruleid: guard.javascript.open-redirect
  res.redirect(req.query.next || "/");
}

function logout(req, res) {
  // ok: guard.javascript.open-redirect
  res.redirect("/");
}
