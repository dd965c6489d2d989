// Helpers for 30-plugin-scaffold.sh, one subcommand each (JSON edits and the loopback talk,
// which are clumsy in bash). Usage: node 30-plugin-scaffold.mjs <command> ...
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { basename, join, resolve } from "node:path";

const [command, ...args] = process.argv.slice(2);
const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));
const writeJson = (path, value) => writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
const fail = (message) => {
  console.error(`30-plugin-scaffold: ${message}`);
  process.exit(1);
};

const commands = {
  /** Package name → tarball path, for every packed package (read from each tarball's name). */
  "tarball-map"(repo, tarballs) {
    const map = {};
    for (const dir of readdirSync(join(repo, "packages"))) {
      const pkg = readJson(join(repo, "packages", dir, "package.json"));
      if (pkg.private) continue;
      const file = `${pkg.name.replace(/^@/, "").replace("/", "-")}-${pkg.version}.tgz`;
      if (!readdirSync(tarballs).includes(file)) fail(`no tarball ${file} for ${pkg.name}`);
      map[pkg.name] = resolve(tarballs, file);
    }
    console.log(JSON.stringify(map, null, 2));
  },

  "tarball-of"(mapFile, name) {
    const path = readJson(mapFile)[name];
    if (!path) fail(`no tarball for ${name}`);
    console.log(path);
  },

  /** The scaffold must stand alone: published ranges only, nothing pointing into the repository. */
  "check-standalone"(dir, repo) {
    const pkg = readJson(join(dir, "package.json"));
    for (const field of ["dependencies", "devDependencies", "peerDependencies"]) {
      for (const [name, range] of Object.entries(pkg[field] ?? {})) {
        if (!/^[\^~]?\d+\.\d+\.\d+$/.test(range))
          fail(`${field}.${name} is ${range}, not a published range`);
      }
    }
    for (const file of [
      "package.json",
      "tsconfig.json",
      "README.md",
      "src/plugin.ts",
      "src/plugin.test.ts",
    ]) {
      const text = readFileSync(join(dir, file), "utf8");
      for (const bad of ["@torsion/source", "workspace:", repo, "../../"]) {
        if (text.includes(bad)) fail(`${basename(dir)}/${file} mentions ${bad}`);
      }
    }
  },

  /** Point every @torsion/* dependency at its tarball, directly and through npm overrides. */
  "use-tarballs"(packageJson, mapFile) {
    const map = readJson(mapFile);
    const pkg = readJson(packageJson);
    for (const field of ["dependencies", "devDependencies"]) {
      for (const name of Object.keys(pkg[field] ?? {})) {
        if (map[name]) pkg[field][name] = `file:${map[name]}`;
      }
    }
    pkg.overrides = Object.fromEntries(
      Object.entries(map)
        .filter(([n]) => n.startsWith("@torsion/"))
        .map(([n, p]) => [n, `file:${p}`]),
    );
    writeJson(packageJson, pkg);
  },

  /** A project that installs @torsion/application and the packed plugins, @torsion/* from tarballs. */
  "app-package"(packageJson, mapFile, ...plugins) {
    const map = readJson(mapFile);
    const dependencies = { "@torsion/application": `file:${map["@torsion/application"]}` };
    for (const tgz of plugins)
      dependencies[basename(tgz).replace(/-\d+\.\d+\.\d+\.tgz$/, "")] = `file:${tgz}`;
    const overrides = Object.fromEntries(
      Object.entries(map)
        .filter(([n]) => n.startsWith("@torsion/"))
        .map(([n, p]) => [n, `file:${p}`]),
    );
    writeJson(packageJson, {
      name: "plugin-scaffold-app",
      private: true,
      type: "module",
      dependencies,
      overrides,
    });
  },

  /** Start `npx twist <plugin>` on a free loopback port, send `request`, expect `reply`, stop it. */
  async "serve-and-talk"(plugin, request, reply) {
    // The CLI cannot listen on port 0 and report it: take a free port from the kernel first.
    const port = await new Promise((res, rej) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address();
        probe.close(() => res(port));
      });
      probe.on("error", rej);
    });
    const endpoint = `tcp:${port}:interface=127.0.0.1`;
    // Its own process group, so that stopping it reaches twist as well as npx.
    const child = spawn("npx", ["--no-install", "twist", plugin, "--listen", endpoint], {
      detached: true,
      stdio: ["ignore", "inherit", "inherit"],
    });
    const exited = new Promise((res) => child.on("exit", (code, signal) => res({ code, signal })));
    let stopped = false;
    const stop = async () => {
      if (stopped) return;
      stopped = true;
      try {
        process.kill(-child.pid, "SIGTERM");
      } catch {}
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, 20_000);
      const result = await exited;
      clearTimeout(killer);
      return result;
    };
    try {
      const got = await talk(port, request, reply.length, exited);
      if (got !== reply)
        fail(`twist ${plugin} replied ${JSON.stringify(got)}, expected ${JSON.stringify(reply)}`);
      console.log(
        `twist ${plugin} on ${endpoint}: sent ${JSON.stringify(request)}, got ${JSON.stringify(got)}`,
      );
    } finally {
      const { code, signal } = await stop();
      // npx itself dies of the signal (pnpm/npx report it); a code other than 0 is twist's.
      if (code !== null && code !== 0) fail(`twist ${plugin} exited ${code} on SIGTERM`);
      console.log(
        `twist ${plugin} stopped by SIGTERM: ${code === null ? `npx ${signal}` : "exit 0"}`,
      );
    }
  },
};

/** Connect (retrying while twist starts, at most 60 s), send, read `length` bytes. */
async function talk(port, request, length, exited) {
  let early;
  exited.then((r) => (early = r));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (early) fail(`twist exited before serving: ${JSON.stringify(early)}`);
    try {
      return await new Promise((res, rej) => {
        const socket = connect(port, "127.0.0.1", () => socket.write(request));
        let received = "";
        socket.setEncoding("utf8");
        socket.setTimeout(10_000, () => socket.destroy(new Error("no reply within 10 s")));
        socket.on("data", (chunk) => {
          received += chunk;
          if (received.length >= length) {
            socket.end();
            res(received);
          }
        });
        socket.on("error", rej);
        socket.on("close", () => rej(new Error(`closed after ${JSON.stringify(received)}`)));
      });
    } catch (error) {
      if (error.code !== "ECONNREFUSED" || Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

const run = commands[command];
if (!run) fail(`unknown command ${command}`);
await run(...args);
