/**
 * Vitest setup file (see vitest.shared.ts): begins global logging for the test process.
 *
 * Until a program calls `globalLogBeginner.beginLoggingTo`, the logger writes critical events to
 * stderr so that nothing is lost. Many tests provoke errors on purpose (a protocol that throws,
 * a Deferred left failing) and check them with their own observers on `globalLogPublisher`; without
 * this, each one would also print a traceback to the test output. Set `TORSION_TEST_LOG=1` to see
 * every event as Twisted-style text instead.
 */
import { globalLogBeginner, textFileLogObserver } from "@torsion/core";

globalLogBeginner.beginLoggingTo(
  process.env.TORSION_TEST_LOG ? [textFileLogObserver(process.stderr)] : [],
  { discardBuffer: true, redirectStandardIO: false },
);
