/**
 * {@link Reverse}: the protocol of this plugin.
 *
 * @module
 */
import { LineReceiver } from "@torsion/basic";

/**
 * Writes back each line it receives, reversed (by Unicode code point, so "héllo" becomes
 * "olléh"). Lines end with CRLF, as `LineReceiver`'s do; a line longer than `MAX_LENGTH`
 * closes the connection.
 */
export class Reverse extends LineReceiver {
  override lineReceived(line: Buffer): void {
    this.sendLine([...line.toString("utf8")].reverse().join(""));
  }
}
