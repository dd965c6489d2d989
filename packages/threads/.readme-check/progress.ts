// main.ts
import { deferToThread, defineTask } from "@torsion/threads";

// The type parameter types the arguments and the result (from TypeScript sources,
// `defineTask<typeof import("./hash.ts").sha1>(…)` does the same at no run-time cost).
const sha1 = defineTask<(path: string) => string>(new URL("./hash.mjs", import.meta.url), "sha1");

const hex = await deferToThread(sha1, "/etc/hosts");
console.log(hex);
const { port1, port2 } = new MessageChannel();
port1.on("message", (done) => console.log(`${done} done`));
// The worker closes its end when it is done: every message it posted before arrives before "close".
const closed = new Promise((resolve) => port1.once("close", resolve));
const total = await deferToThread(defineTask(new URL("./work.mjs", import.meta.url), "count"), 10_000, port2);
await closed;
console.log(`all ${total} done`);
