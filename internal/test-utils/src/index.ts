export { chunksOf, forEveryChunking } from "./chunks.ts";
export type { CapturedOutput, Loopback } from "./loopback.ts";
export { askUDP, captureOutput, useLoopback } from "./loopback.ts";
export { hasTwisted, PYTHON, run, startServer, twistedReason } from "./peers.ts";
export { recordListens } from "./plugins.ts";
