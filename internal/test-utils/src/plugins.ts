/**
 * Setup shared by the protocol packages' `twist` plugin tests. Typed structurally, so this
 * package needs no dependency on `@torsion/application`.
 *
 * @module
 */
import type { IProtocolFactory } from "@torsion/core";

/**
 * The helpers `twist` gives a plugin (`serviceMakerHelpers(...)`), with `listen` also recording
 * each description and factory in `listened`, in order, before passing the call on.
 *
 * ```ts
 * const h = recordListens(serviceMakerHelpers("test", reactor));
 * await plugin.makeService(options, h.helpers);
 * expect(h.listened[0]![0]).toBe("tcp:8007");
 * ```
 */
export function recordListens<
  H extends { listen(description: string, factory: IProtocolFactory): unknown },
>(real: H): { helpers: H; listened: Array<[string, IProtocolFactory]> } {
  const listened: Array<[string, IProtocolFactory]> = [];
  const listen: H["listen"] = (description, factory) => {
    listened.push([description, factory]);
    return real.listen(description, factory);
  };
  return { listened, helpers: { ...real, listen } };
}
