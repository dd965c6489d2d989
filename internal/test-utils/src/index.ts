export { chunksOf, forEveryChunking } from "./chunks.ts";
export { hasTwisted, PYTHON, run, startServer, twistedReason } from "./peers.ts";
