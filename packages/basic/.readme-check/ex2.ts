import { createReadStream } from "node:fs";
import { DecoderTransform, LineDecoder } from "@torsion/basic";

const lines = createReadStream("access.log").pipe(
  new DecoderTransform(new LineDecoder({ delimiter: "\n", finalLine: true })),
);
for await (const line of lines) console.log(line.length);
