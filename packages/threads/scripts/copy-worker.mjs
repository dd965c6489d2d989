// tsc emits only the TypeScript sources; the worker entry is plain JavaScript (a worker thread
// must load it without TypeScript), so the build copies it beside the emitted pool.js.
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync(new URL("../dist/", import.meta.url), { recursive: true });
copyFileSync(
  new URL("../src/worker.mjs", import.meta.url),
  new URL("../dist/worker.mjs", import.meta.url),
);
