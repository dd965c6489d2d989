/**
 * The scaffolded tests: the protocol in every chunking and over loopback, and the plugin's
 * metadata, service and discovery by `twist`.
 *
 * @module
 */
import type { TemplateContext } from "./context.ts";
import { camel, DEFAULT_PORT } from "./plugin.ts";

/** Input, expected output and the limit test for each protocol kind. */
function cases(ctx: TemplateContext): {
  input: string;
  output: string;
  loopback: [string, string];
  extra: string;
} {
  const c = ctx.className;
  if (ctx.protocol === "line") {
    return {
      input: String.raw`hello\r\nhéllo wörld\r\n\r\nabc`,
      output: String.raw`olleh\r\ndlröw olléh\r\n\r\n`,
      loopback: [String.raw`stressed\r\n`, String.raw`desserts\r\n`],
      extra: `
  it("closes the connection on a line longer than MAX_LENGTH", () => {
    const line = \`\${"a".repeat(new ${c}().MAX_LENGTH + 1)}\\r\\n\`;
    const transport = feed(Buffer.from(line), 4096);
    expect(transport.disconnecting).toBe(true);
  });
`,
    };
  }
  return {
    input: "Hello, wörld! Why the chicken?",
    output: "Uryyb, jöeyq! Jul gur puvpxra?",
    loopback: ["Uryyb, jbeyq", "Hello, world"],
    extra: `
  it("leaves every byte that is not an ASCII letter alone", () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const out = feed(all, 256).value();
    for (let i = 0; i < 256; i++) {
      const letter = (i >= 0x41 && i <= 0x5a) || (i >= 0x61 && i <= 0x7a);
      if (!letter) expect(out[i]).toBe(i);
    }
  });
`,
  };
}

/** \`src/<plugin>.test.ts\`: every chunk size down to one byte, then a real loopback socket. */
export function protocolTest(ctx: TemplateContext): string {
  const c = ctx.className;
  const k = cases(ctx);
  return `import { connect } from "node:net";
import { createReactor, Factory, type IListeningPort, type IPv4Address } from "@torsion/core";
import { StringTransport } from "@torsion/core/testing";
import { afterEach, describe, expect, it } from "vitest";
import { ${c} } from "./${ctx.pluginName}.ts";

/** Feed \`input\` to a fresh protocol in chunks of \`size\` bytes and return its transport. */
function feed(input: Buffer, size: number): StringTransport {
  const transport = new StringTransport();
  const protocol = new ${c}();
  protocol.makeConnection(transport);
  for (let i = 0; i < input.length; i += size) protocol.dataReceived(input.subarray(i, i + size));
  return transport;
}

describe("${c}", () => {
  it("gives the same reply whatever the chunking, down to one byte", () => {
    const input = Buffer.from("${k.input}");
    for (let size = 1; size <= input.length; size++) {
      expect(feed(input, size).value().toString("utf8")).toBe("${k.output}");
    }
  });
${k.extra}
  describe("over loopback", () => {
    const reactor = createReactor();
    let port: IListeningPort | undefined;
    afterEach(async () => {
      await port?.stopListening();
    });

    it("serves a real connection", async () => {
      port = await reactor.listenTCP(0, Factory.forProtocol(${c}), { interface: "127.0.0.1" });
      const { port: portNumber } = port.getHost() as IPv4Address;
      const reply = await new Promise<string>((resolve, reject) => {
        const socket = connect(portNumber, "127.0.0.1", () => socket.write("${k.loopback[0]}"));
        let received = "";
        socket.setEncoding("utf8");
        socket.on("data", (chunk: string) => {
          received += chunk;
          if (received.length >= "${k.loopback[1]}".length) {
            socket.end();
            resolve(received);
          }
        });
        socket.on("error", reject);
      });
      expect(reply).toBe("${k.loopback[1]}");
    });
  });
});
`;
}

/** The two local imports of the plugin test, in path order (as import sorters keep them). */
function localImports(ctx: TemplateContext): string {
  const imports: [string, string][] = [
    ["./plugin.ts", `import ${camel(ctx.pluginName)} from "./plugin.ts";`],
    [`./${ctx.pluginName}.ts`, `import { ${ctx.className} } from "./${ctx.pluginName}.ts";`],
  ];
  imports.sort(([a], [b]) => (a < b ? -1 : 1));
  return imports.map(([, line]) => line).join("\n");
}

/** \`src/plugin.test.ts\`: metadata, what \`makeService\` listens on, discovery and loading. */
export function pluginTest(ctx: TemplateContext): string {
  const c = ctx.className;
  const v = camel(ctx.pluginName);
  return `import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  applicationVersion,
  discoverPlugins,
  loadPlugin,
  type ServiceMakerHelpers,
  serviceMakerHelpers,
} from "@torsion/application";
import { createReactor, type IProtocolFactory } from "@torsion/core";
import { describe, expect, it } from "vitest";
${localImports(ctx)}

/** The helpers \`twist\` gives, recording what the plugin asks to listen on. */
function helpers(): ServiceMakerHelpers & { listened: [string, IProtocolFactory][] } {
  const real = serviceMakerHelpers("${ctx.pluginName}", createReactor());
  const listened: [string, IProtocolFactory][] = [];
  return {
    ...real,
    listened,
    listen(description, factory) {
      listened.push([description, factory]);
      return real.listen(description, factory);
    },
  };
}

describe("the ${ctx.pluginName} plugin", () => {
  it("is declared in package.json under the name it exports", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    expect(pkg.torsion.plugins).toEqual([
      { name: ${v}.name, description: ${v}.description, module: "./plugin" },
    ]);
    expect(pkg.exports["./plugin"]).toBeDefined();
    expect(pkg.peerDependencies["@torsion/application"]).toBeDefined();
  });

  it("listens on each --listen endpoint with a ${c} factory", async () => {
    const h = helpers();
    await ${v}.makeService({ listen: ["tcp:1", "tcp:2"] }, h);
    expect(h.listened.map(([endpoint]) => endpoint)).toEqual(["tcp:1", "tcp:2"]);
    expect(h.listened[0]![1].buildProtocol({ type: "TCP" } as never)).toBeInstanceOf(${c});
  });

  it("listens on tcp:${DEFAULT_PORT} by default", () => {
    expect(${v}.options.listen.default).toEqual(["tcp:${DEFAULT_PORT}"]);
  });

  it("is found by twist's discovery once installed, and loads from dist/", async () => {
    // Install this package into a temporary node_modules, as a linked install would.
    const dir = mkdtempSync(join(tmpdir(), "${ctx.pluginName}-discovery-"));
    try {
      const link = join(dir, "node_modules", "${ctx.packageName}");
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(fileURLToPath(new URL("..", import.meta.url)), link, "dir");
      const { plugins, problems } = discoverPlugins({ from: [dir] });
      expect(problems).toEqual([]);
      const info = plugins.find((p) => p.name === "${ctx.pluginName}");
      expect(info?.packageName).toBe("${ctx.packageName}");
      const maker = await loadPlugin(info!, { applicationVersion });
      expect(maker.name).toBe("${ctx.pluginName}");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
`;
}
