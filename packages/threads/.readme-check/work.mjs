// work.mjs
export function count(n, port) {
  for (let i = 1; i <= n; i++) if (i % 1000 === 0) port.postMessage(i);
  port.close();
  return n;
}
