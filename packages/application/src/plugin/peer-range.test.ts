import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applicationVersion } from "../version.ts";
import { satisfies } from "./semver.ts";

// The protocol packages declare `"@torsion/application": "0.x"` as their peer range, so that a
// 0.x release of the runner neither refuses them nor forces changesets to bump them as major.
describe("the peer range the protocol packages declare", () => {
  for (const pkg of ["echo", "qotd", "timestamp"]) {
    it(`@torsion/${pkg} accepts this runner's version`, () => {
      const manifest = JSON.parse(
        readFileSync(new URL(`../../../${pkg}/package.json`, import.meta.url), "utf8"),
      );
      const range = manifest.peerDependencies["@torsion/application"];
      expect(satisfies(applicationVersion, range)).toBe(true);
      expect(satisfies("0.1.0", range)).toBe(true);
      expect(satisfies("1.0.0", range)).toBe(false);
    });
  }
});
