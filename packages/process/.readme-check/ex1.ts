import type { Failure } from "@torsion/core";
import { getProcessOutput, ProcessProtocol, spawnProcess } from "@torsion/process";

class WordCount extends ProcessProtocol {
  #out: Buffer[] = [];
  override connectionMade(): void {
    this.transport.write("one two\nthree\n");
    this.transport.closeStdin(); // wc reads end-of-file and answers
  }
  override outReceived(data: Buffer): void {
    this.#out.push(data);
  }
  override processEnded(reason: Failure): void {
    // ProcessDone (exit 0), ProcessTerminated (exitCode / signal), or ProcessSpawnError.
    console.log(Buffer.concat(this.#out).toString().trim(), "-", reason.getErrorMessage());
  }
}

spawnProcess(new WordCount(), "wc", ["-l", "-w"]);

// Or, for the common case:
const head = await getProcessOutput("git", ["rev-parse", "HEAD"]);
console.log(head.toString().trim());
