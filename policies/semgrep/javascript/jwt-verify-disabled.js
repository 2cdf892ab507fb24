const jwt = require("jsonwebtoken");

function auth(req, res, next) {
  const token = req.headers.authorization.split(" ")[1];
  // ruleid: guard.javascript.jwt-verify-disabled
  req.user = jwt.verify(token, process.env.JWT_KEY, { algorithms: ["HS256", "none"] });
  next();
}

function authOk(req, res, next) {
  const token = req.headers.authorization.split(" ")[1];
  // ok: guard.javascript.jwt-verify-disabled
  req.user = jwt.verify(token, process.env.JWT_KEY, { algorithms: ["HS256"] });
  next();
}
