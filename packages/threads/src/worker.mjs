// The module every pool worker loads (plain JavaScript: a worker thread must be able to load it
// without TypeScript). It imports the task's module, calls the named export with the arguments,
// and packs a thrown Error so its class name, stack and own properties survive the trip back
// (structured clone keeps only message and stack of an Error subclass).

const PACKED = "torsion:error";

export default async function runTask({ module, name, args }) {
  try {
    const mod = await import(module);
    const fn = mod[name];
    if (typeof fn !== "function") {
      throw new TypeError(`${module} has no exported function named ${JSON.stringify(name)}`);
    }
    return await fn(...args);
  } catch (err) {
    throw pack(err, 0);
  }
}

function pack(err, depth) {
  if (!(err instanceof Error)) return err;
  const props = {};
  for (const key of Object.keys(err)) {
    try {
      props[key] = structuredClone(err[key]);
    } catch {
      // not cloneable (a function, a socket): leave it behind
    }
  }
  const packed = { [PACKED]: 1, name: err.name, message: err.message, stack: err.stack, props };
  if (err.cause !== undefined && depth < 8) packed.cause = pack(err.cause, depth + 1);
  return packed;
}
