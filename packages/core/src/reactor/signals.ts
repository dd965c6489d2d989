/**
 * The reactor's shutdown signal handlers, installed only while it runs.
 *
 * @module
 */

/** The signals that stop a running reactor: SIGINT, SIGTERM, and SIGBREAK on Windows. */
export const shutdownSignals: readonly NodeJS.Signals[] =
  process.platform === "win32" ? ["SIGINT", "SIGTERM", "SIGBREAK"] : ["SIGINT", "SIGTERM"];

/**
 * Listen for each of `signals` with `onSignal(signal)` and return the function that removes
 * exactly these listeners (others' listeners are left alone).
 *
 * While a listener is installed Node does not apply its default action (exit) for that
 * signal, so install only for as long as something will act on it.
 */
export function installSignalHandlers(
  onSignal: (signal: NodeJS.Signals) => void,
  signals: readonly NodeJS.Signals[] = shutdownSignals,
): () => void {
  const listeners = signals.map((signal) => {
    const listener = (): void => onSignal(signal);
    process.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) process.removeListener(signal, listener);
  };
}
