import { LineReceiver } from "@torsion/basic";
import { Factory, reactor } from "@torsion/core";

class Shout extends LineReceiver {
  override lineReceived(line: Buffer): void {
    const text = line.toString();
    if (text === "quit") return this.transport.loseConnection();
    this.sendLine(text.toUpperCase());
  }
}

await reactor.listenTCP(8007, Factory.forProtocol(Shout), { interface: "127.0.0.1" });
await reactor.run(); // try: printf 'hello\r\nquit\r\n' | nc 127.0.0.1 8007
