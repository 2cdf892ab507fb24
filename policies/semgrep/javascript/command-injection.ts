import * as cp from "child_process";

export function thumbnail(file: string): void {
  // ruleid: guard.javascript.command-injection
  cp.exec("convert uploads/" + file + " -resize 128x128 thumb.png");
}

export function exportOrders(fmt: string): Buffer {
  // ruleid: guard.javascript.command-injection
  return cp.execSync(`shop-export --format ${fmt}`);
}

export function exportOrdersOk(fmt: string): Buffer {
  // ok: guard.javascript.command-injection
  return cp.execFileSync("shop-export", ["--format", fmt]);
}

export function listOk(): void {
  // ok: guard.javascript.command-injection
  cp.exec("ls -l /var/log");
}
