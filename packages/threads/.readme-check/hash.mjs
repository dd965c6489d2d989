// hash.mjs
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

export function sha1(path) {
  return createHash("sha1").update(readFileSync(path)).digest("hex");
}
