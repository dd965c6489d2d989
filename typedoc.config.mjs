// `pnpm run docs`: the documentation site in docs/site. Guides are project documents;
// the API reference has one module per package export, each titled by its import specifier.
import { fileURLToPath } from "node:url";
import { entryPoints } from "./docs/entry-points.mjs";

const root = fileURLToPath(new URL(".", import.meta.url));

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  name: "Torsion",
  entryPoints: entryPoints(root).map((entry) => entry.file),
  tsconfig: "tsconfig.json",
  out: "docs/site",
  plugin: ["./docs/typedoc-plugin.mjs"],
  readme: "README.md",
  // One flat list of modules named as they are imported, not an "@torsion" folder.
  navigation: { includeFolders: false },
  projectDocuments: ["docs/guides/*.md", "examples/README.md", "examples/scale-out/README.md"],
  excludePrivate: true,
  excludeInternal: true,
  skipErrorChecking: true,
  disableSources: true,
  treatWarningsAsErrors: true,
  // systemd unit files, included from examples/systemd, are shown as plain text.
  ignoredHighlightLanguages: ["service", "socket"],
  highlightLanguages: [
    "bash",
    "javascript",
    "json",
    "python",
    "sh",
    "shell",
    "text",
    "typescript",
    "ts",
    "js",
    "ini",
  ],
  externalSymbolLinkMappings: {
    "@types/node": {
      "Stream.Writable.write":
        "https://nodejs.org/api/stream.html#writablewritechunk-encoding-callback",
      "Stream.Writable.end":
        "https://nodejs.org/api/stream.html#writableendchunk-encoding-callback",
    },
    // Internal names a public TSDoc comment mentions: rendered as code, not as a dead link.
    "@torsion/core": {
      "ThreePhaseEvent.addTrigger": "#",
      StreamSocket: "#",
      tlsVersionsForMethod: "#",
      // Not exported from the root yet: should be (it types the public FileLogObserver's options).
      FileLogObserverOptions: "#",
    },
  },
};
