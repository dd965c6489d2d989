/**
 * `@torsion/core/testing`: deterministic doubles for tests — `Clock`, `StringTransport`,
 * `MemoryReactor`, and in-memory connected client/server pairs.
 *
 * @module
 */

// --- clock --------------------------------------------------------------------------------
export { Clock } from "./testing/clock.ts";

// --- transports ---------------------------------------------------------------------------
export {
  StringDatagramTransport,
  StringTransport,
  StringTransportWithDisconnection,
} from "./testing/string-transport.ts";
export type { ProducerState, StringTransportOptions } from "./testing/string-transport.ts";

// --- reactors -----------------------------------------------------------------------------
export {
  MemoryConnector,
  MemoryPort,
  MemoryReactor,
  MemoryReactorClock,
} from "./testing/memory-reactor.ts";
export type {
  RecordedTrigger,
  SSLClientCall,
  SSLServerCall,
  TCPClientCall,
  TCPServerCall,
  UDPServerCall,
  UNIXClientCall,
  UNIXServerCall,
} from "./testing/memory-reactor.ts";

// --- loopback -----------------------------------------------------------------------------
export { FakeTransport } from "./testing/fake-transport.ts";
export type { FakeTransportOptions } from "./testing/fake-transport.ts";
export { IOPump, connectedServerAndClient } from "./testing/loopback.ts";
export type { ConnectedPair, ConnectedServerAndClientOptions } from "./testing/loopback.ts";
