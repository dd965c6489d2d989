export { chunksOf, forEveryChunking } from "./chunks.ts";
