const https = require("https");

// ruleid: guard.javascript.tls-verify-disabled
process.env.NODE_TLS_REJECT_UNAUTHORIZED = "0";

// ruleid: guard.javascript.tls-verify-disabled
const agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });

// ok: guard.javascript.tls-verify-disabled
const goodAgent = new https.Agent({ keepAlive: true, ca: process.env.SHOP_CA });

module.exports = { agent, goodAgent };
