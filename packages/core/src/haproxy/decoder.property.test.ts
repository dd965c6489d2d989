// Property tests: any header the encoder writes, followed by any stream, fed in any chunking,
// decodes to the same addresses and leaves the stream unchanged; garbage is always refused.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Factory } from "../protocol/factory.ts";
import { Protocol } from "../protocol/protocol.ts";
import { Clock } from "../testing/clock.ts";
import { StringTransportWithDisconnection } from "../testing/string-transport.ts";
import { IPv4Address, IPv6Address, UNIXAddress } from "../transport/address.ts";
import { ProxyHeaderDecoder } from "./decoder.ts";
import { InvalidProxyHeader } from "./errors.ts";
import { proxyHeaderV1, proxyHeaderV2 } from "./header.ts";
import type { ProxyHeaderResult } from "./info.ts";
import { HAProxyWrappingFactory } from "./wrapper.ts";

const port = fc.integer({ min: 0, max: 65535 });
const ipv4 = fc.ipV4().chain((host) => port.map((p) => new IPv4Address("TCP", host, p)));
// fc.ipV6() writes forms such as "::ffff:1.2.3.4" and upper case; compare by bytes via the
// round trip through the v2 encoder, and by text for v1 (which keeps the text as sent).
const ipv6 = fc.ipV6().chain((host) => port.map((p) => new IPv6Address("TCP", host, p)));
const unix = fc
  .string({ maxLength: 100, unit: fc.constantFrom("a", "b", "/", ".", "é") })
  .map((s) => new UNIXAddress(s));

type Pair = [IPv4Address | IPv6Address | UNIXAddress, IPv4Address | IPv6Address | UNIXAddress];
const v1Pair = fc.oneof(fc.tuple(ipv4, ipv4), fc.tuple(ipv6, ipv6));
const v2Pair: fc.Arbitrary<Pair> = fc.oneof(
  fc.tuple(ipv4, ipv4),
  fc.tuple(ipv6, ipv6),
  fc.tuple(unix, unix),
);
const header = fc.oneof(
  v1Pair.map(([s, d]) => ({ bytes: proxyHeaderV1(s, d), source: s, destination: d, v: 1 })),
  v2Pair.map(([s, d]) => ({ bytes: proxyHeaderV2(s, d), source: s, destination: d, v: 2 })),
  fc.constant({ bytes: proxyHeaderV1(), source: null, destination: null, v: 1 }),
  fc.constant({ bytes: proxyHeaderV2(), source: null, destination: null, v: 2 }),
);
const stream = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a));
const sizes = fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 50 });

function split(input: Buffer, chunkSizes: readonly number[]): Buffer[] {
  const chunks: Buffer[] = [];
  let at = 0;
  let i = 0;
  while (at < input.length) {
    const n = chunkSizes[i++ % chunkSizes.length] as number;
    chunks.push(input.subarray(at, at + n));
    at += n;
  }
  return chunks;
}

function sameAddress(got: unknown, want: IPv4Address | IPv6Address | UNIXAddress | null): void {
  if (want === null) {
    expect(got).toBeNull();
    return;
  }
  if (want instanceof UNIXAddress) {
    expect((got as UNIXAddress).name).toBe(want.name);
    return;
  }
  expect(got).toBeInstanceOf(want.constructor);
  expect((got as IPv4Address).port).toBe(want.port);
  // Compare IPv6 by the bytes the encoder produces, whatever text form either side uses.
  const bytes = (a: IPv4Address | IPv6Address) => proxyHeaderV2(a, a).subarray(16);
  expect(bytes(got as IPv4Address)).toEqual(bytes(want));
}

describe("ProxyHeaderDecoder properties", () => {
  it("decodes every encoded header in every chunking and returns the rest unchanged", () => {
    fc.assert(
      fc.property(header, stream, sizes, (h, rest, chunkSizes) => {
        const decoder = new ProxyHeaderDecoder();
        let result: ProxyHeaderResult | null = null;
        const after: Buffer[] = [];
        for (const chunk of split(Buffer.concat([h.bytes, rest]), chunkSizes)) {
          if (result === null) {
            result = decoder.feed(chunk);
            if (result !== null) after.push(result.rest);
          } else after.push(chunk);
        }
        expect(result).not.toBeNull();
        expect(result?.info.version).toBe(h.v);
        expect(result?.info.header).toEqual(h.bytes);
        sameAddress(result?.info.source ?? null, h.source);
        sameAddress(result?.info.destination ?? null, h.destination);
        expect(Buffer.concat(after)).toEqual(rest);
      }),
      { numRuns: 300 },
    );
  });

  it("refuses any input that does not start like a header, on its first chunk", () => {
    const notHeader = fc
      .uint8Array({ minLength: 1, maxLength: 200 })
      .filter((a) => a[0] !== 0x50 && a[0] !== 0x0d)
      .map((a) => Buffer.from(a));
    fc.assert(
      fc.property(notHeader, sizes, (input, chunkSizes) => {
        const first = split(input, chunkSizes)[0] as Buffer;
        expect(() => new ProxyHeaderDecoder().feed(first)).toThrow(InvalidProxyHeader);
      }),
    );
  });

  it("never buffers more than a header's worth of random bytes", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("PROXY ", "\r\n\r\n\0\r\nQUIT\n"),
        stream,
        sizes,
        (start, tail, chunkSizes) => {
          const decoder = new ProxyHeaderDecoder({ maxLength: 64 });
          let fed = 0;
          try {
            for (const chunk of split(
              Buffer.concat([Buffer.from(start, "latin1"), tail, Buffer.alloc(200, 0x41)]),
              chunkSizes,
            )) {
              fed += chunk.length;
              if (decoder.feed(chunk) !== null) return;
              expect(fed).toBeLessThanOrEqual(107 + 16 + 64 + 40);
            }
          } catch (e) {
            expect(e).toBeInstanceOf(InvalidProxyHeader);
            return;
          }
          throw new Error("neither decoded nor refused");
        },
      ),
    );
  });
});

describe("HAProxyWrappingFactory properties", () => {
  class Collect extends Protocol {
    data: Buffer[] = [];
    override dataReceived(d: Buffer): void {
      this.data.push(d);
    }
  }

  it("delivers the stream after the header unchanged in every chunking, with the header's peer", () => {
    fc.assert(
      fc.property(header, stream, sizes, (h, rest, chunkSizes) => {
        const factory = new HAProxyWrappingFactory(Factory.forProtocol(Collect), {
          clock: new Clock(),
        });
        const proto = factory.buildProtocol(new IPv4Address("TCP", "127.0.0.1", 1));
        const transport = new StringTransportWithDisconnection({ protocol: proto });
        proto.makeConnection(transport);
        for (const chunk of split(Buffer.concat([h.bytes, rest]), chunkSizes))
          proto.dataReceived(chunk);
        const inner = proto.wrappedProtocol as Collect;
        expect(transport.connected).toBe(true);
        expect(Buffer.concat(inner.data)).toEqual(rest);
        sameAddress(h.source === null ? null : inner.transport.getPeer(), h.source);
        if (h.source === null) expect(inner.transport.getPeer()).toBe(transport.getPeer());
      }),
      { numRuns: 200 },
    );
  });
});
