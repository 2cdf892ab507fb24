const express = require("express");
const cors = require("cors");

const app = express();
// ruleid: guard.javascript.cors-wildcard
app.use(cors());
// ok: guard.javascript.cors-wildcard
app.use(cors({ origin: ["https://shop.example.com"] }));

app.use((req, res, next) => {
  // ruleid: guard.javascript.cors-wildcard
  res.setHeader("Access-Control-Allow-Origin", "*");
  // ok: guard.javascript.cors-wildcard
  res.setHeader("X-Frame-Options", "DENY");
  next();
});
