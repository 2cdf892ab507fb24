import * as crypto from "crypto";

export function hashPassword(password: string): string {
  // ruleid: guard.javascript.weak-hash
  return crypto.createHash("md5").update(password).digest("hex");
}

export function hashOk(data: string): string {
  // ok: guard.javascript.weak-hash
  return crypto.createHash("sha256").update(data).digest("hex");
}

export function legacy(key: Buffer, data: string): Buffer {
  // ruleid: guard.javascript.weak-cipher
  const c = crypto.createCipheriv("des-ede3-cbc", key, Buffer.alloc(8));
  return Buffer.concat([c.update(data), c.final()]);
}

export function ecb(key: Buffer): crypto.Cipher {
  // ruleid: guard.javascript.weak-cipher
  return crypto.createCipheriv("aes-128-ecb", key, null);
}

export function modern(key: Buffer, iv: Buffer): crypto.Cipher {
  // ok: guard.javascript.weak-cipher
  return crypto.createCipheriv("aes-256-gcm", key, iv);
}

export function resetToken(): string {
  // ruleid: guard.javascript.insecure-random
  const resetToken = Math.random().toString(36).slice(2);
  return resetToken;
}

export function nonces(): string[] {
  // ruleid: guard.javascript.insecure-random
  let nonce = Math.floor(Math.random() * 1e9).toString();
  // ruleid: guard.javascript.insecure-random
  var csrfSecret = String(Math.random());
  return [nonce, csrfSecret];
}

export function jitter(): number {
  // ok: guard.javascript.insecure-random
  const delay = Math.random() * 100;
  return delay;
}

export function sessionId(): string {
  // ok: guard.javascript.insecure-random
  const sessionId = crypto.randomBytes(32).toString("hex");
  return sessionId;
}
