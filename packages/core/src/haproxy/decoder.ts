/**
 * {@link ProxyHeaderDecoder}: reads whichever PROXY header version starts the stream. The first
 * byte decides (`P` for v1, `\r` for the v2 signature); every further byte is checked against
 * what that version allows as soon as it arrives, so garbage is refused at once.
 *
 * @module
 */
import { InvalidProxyHeader } from "./errors.ts";
import type { ProxyHeaderResult } from "./info.ts";
import { V1Parser } from "./v1-parser.ts";
import { V2Parser, type V2ParserOptions } from "./v2-parser.ts";

const V1_PREFIX = Buffer.from("PROXY ", "latin1");

/** Options of {@link ProxyHeaderDecoder}. */
export interface ProxyHeaderDecoderOptions extends V2ParserOptions {}

/**
 * A pure decoder for one PROXY protocol header, v1 or v2, fed in any chunking. After it
 * returned a result it must not be fed again.
 */
export class ProxyHeaderDecoder {
  #parser: V1Parser | V2Parser | null = null;
  #v1Seen = 0;
  readonly #options: ProxyHeaderDecoderOptions;

  constructor(options: ProxyHeaderDecoderOptions = {}) {
    this.#options = options;
  }

  /**
   * Add `data`. Returns the header and the rest of the input once a whole header arrived, else
   * `null` (more bytes needed).
   *
   * @throws InvalidProxyHeader (or a subclass) for anything that is not a valid header.
   */
  feed(data: Buffer): ProxyHeaderResult | null {
    if (data.length === 0) return null;
    if (this.#parser === null) {
      const first = data[0];
      if (first === V1_PREFIX[0]) this.#parser = new V1Parser();
      else if (first === 0x0d) this.#parser = new V2Parser(this.#options);
      else throw new InvalidProxyHeader("Connection did not start with a PROXY protocol header");
    }
    if (this.#parser instanceof V1Parser) this.#checkV1Prefix(data);
    return this.#parser.feed(data);
  }

  // The v1 parser only looks at the prefix once the CRLF is in; check it byte by byte so that
  // a client speaking the wrapped protocol directly is refused on its first bytes.
  #checkV1Prefix(data: Buffer): void {
    for (let i = 0; i < data.length && this.#v1Seen < V1_PREFIX.length; i++, this.#v1Seen++) {
      if (data[i] !== V1_PREFIX[this.#v1Seen])
        throw new InvalidProxyHeader("Connection did not start with a PROXY protocol header");
    }
  }
}
