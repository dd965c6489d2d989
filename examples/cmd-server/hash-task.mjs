// The worker-thread task of the command server: SHA-1 of a file, read in 64 KiB pieces so a
// large file never sits in memory whole. Plain JavaScript: a worker thread loads it with
// Node's own import(), which cannot load TypeScript on Node 20.
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";

export function sha1File(path) {
  const hash = createHash("sha1");
  const buffer = Buffer.allocUnsafe(64 * 1024);
  const fd = openSync(path, "r");
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest("hex");
}
