// Open every page of the built docs site in headless Chromium and fail on any broken link,
// missing asset, failed request or console error.
//
//   node docs/check-site.mjs [siteDir] [chromium]   (defaults: docs/site, /usr/bin/chromium)
//
// The site is served from 127.0.0.1 on a free port. Links to other hosts are counted, not
// followed (CI has no outside network); the browser must not request anything off the site.
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, relative, resolve, sep } from "node:path";
import { chromium } from "playwright-core";

const site = resolve(process.argv[2] ?? "docs/site");
const executablePath = process.argv[3] ?? "/usr/bin/chromium";
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript",
  ".css": "text/css",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
};

if (!existsSync(join(site, "index.html"))) {
  console.error(
    `check-site: no ${join(relative(process.cwd(), site), "index.html")}; run \`pnpm run docs\` first`,
  );
  process.exit(1);
}
if (!existsSync(executablePath)) {
  console.error(`check-site: no browser at ${executablePath} (install Debian's chromium)`);
  process.exit(1);
}

/** A site path ("/modules/x.html") to its file, or null when outside the site or missing. */
function fileFor(pathname) {
  let decoded;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  let file = resolve(site, `.${decoded}`);
  if (file !== site && !file.startsWith(site + sep)) return null;
  if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
  return existsSync(file) ? file : null;
}

const problems = [];
const server = createServer((req, res) => {
  const { pathname } = new URL(req.url ?? "/", "http://127.0.0.1");
  const file = fileFor(pathname);
  if (!file) {
    res.writeHead(404).end("not found");
    return;
  }
  res.writeHead(200, { "content-type": TYPES[extname(file)] ?? "application/octet-stream" });
  createReadStream(file).pipe(res);
});
await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
const origin = `http://127.0.0.1:${server.address().port}`;

const pages = readdirSync(site, { recursive: true })
  .filter((f) => f.endsWith(".html"))
  .map((f) => `/${f.split(sep).map(encodeURIComponent).join("/")}`)
  .sort();

const profile = mkdtempSync(join(tmpdir(), "torsion-docs-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
  ],
});

const idsByPage = new Map(); // page path -> Set of ids/names, for #fragment links
const links = []; // { from, href }
let external = 0;
/** Open `queue`'s pages one after another in one tab, recording what each page shows. */
async function visit(queue) {
  const tab = await context.newPage();
  let current = "";
  tab.on("console", (msg) => {
    if (msg.type() === "error") problems.push(`${current}: console error: ${msg.text()}`);
  });
  tab.on("pageerror", (error) => problems.push(`${current}: uncaught: ${error.message}`));
  tab.on("requestfailed", (req) =>
    problems.push(`${current}: request failed: ${req.url()} (${req.failure()?.errorText})`),
  );
  tab.on("response", (res) => {
    if (res.status() >= 400) problems.push(`${current}: ${res.status()} for ${res.url()}`);
  });
  await tab.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(origin) || url.startsWith("data:")) return route.continue();
    problems.push(`${current}: requested outside the site: ${url}`);
    return route.abort();
  });
  for (let path = queue.shift(); path !== undefined; path = queue.shift()) {
    current = decodeURIComponent(path);
    await tab.goto(origin + path, { waitUntil: "load" });
    // typedoc builds its navigation tree from assets/navigation.js after load: wait for it,
    // so its links are checked too.
    await tab.waitForFunction(
      () => document.querySelector("#tsd-nav-container a") !== null,
      undefined,
      { timeout: 10_000 },
    );
    const found = await tab.evaluate(() => ({
      ids: [...document.querySelectorAll("[id], a[name]")].map(
        (e) => e.id || e.getAttribute("name"),
      ),
      hrefs: [
        ...[...document.querySelectorAll("a[href], link[href]")].map((e) => e.href),
        ...[...document.querySelectorAll("script[src], img[src]")].map((e) => e.src),
      ],
    }));
    idsByPage.set(new URL(origin + path).pathname, new Set(found.ids));
    for (const href of found.hrefs) links.push({ from: current, href });
  }
  await tab.close();
}

try {
  // Two tabs share the queue: CI machines have two cores.
  const queue = [...pages];
  await Promise.all([visit(queue), visit(queue)]);
} finally {
  await context.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}

const checked = new Set();
for (const { from, href } of links) {
  const url = new URL(href);
  if (url.origin !== origin) {
    if (url.protocol === "http:" || url.protocol === "https:") external++;
    else if (url.protocol !== "mailto:" && url.protocol !== "data:")
      problems.push(`${from}: unexpected link ${href}`);
    continue;
  }
  const key = `${url.pathname}${url.hash}`;
  if (checked.has(`${from} ${key}`)) continue;
  checked.add(`${from} ${key}`);
  if (!fileFor(url.pathname)) {
    problems.push(`${from}: broken link ${decodeURIComponent(url.pathname)}`);
    continue;
  }
  const fragment = decodeURIComponent(url.hash.slice(1));
  const ids = idsByPage.get(
    url.pathname.endsWith("/") ? `${url.pathname}index.html` : url.pathname,
  );
  if (fragment && ids && !ids.has(fragment)) {
    problems.push(`${from}: broken anchor ${decodeURIComponent(url.pathname)}#${fragment}`);
  }
}

const unique = [...new Set(problems)];
console.log(
  `check-site: opened ${pages.length} pages in Chromium, checked ${checked.size} links within the site (${external} to other sites, not followed)`,
);
if (unique.length > 0) {
  console.error(
    `check-site: ${unique.length} problems:\n${unique
      .slice(0, 200)
      .map((p) => `  ${p}`)
      .join("\n")}`,
  );
  process.exit(1);
}
console.log("check-site: no broken link, missing asset or console error");
