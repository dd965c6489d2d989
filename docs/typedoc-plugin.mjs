// Titles each entry module by its import specifier (`@torsion/core/testing`, not
// `core/src/testing`) and makes each package's README the front page of its module, as
// typedoc's packages mode would, but in one program (one type-check of the whole repository).

import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Converter, MinimalSourceFile, ReflectionKind } from "typedoc";
import { entryPoints } from "./entry-points.mjs";

/** @param {import("typedoc").Application} app */
export function load(app) {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const byFile = new Map(entryPoints(root).map((entry) => [entry.file, entry]));
  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module) || reflection.parent !== context.project) return;
    const symbol = context.getSymbolFromReflection(reflection);
    const file = symbol?.declarations?.[0]?.getSourceFile().fileName;
    const entry = file ? byFile.get(file) : undefined;
    if (!entry) return;
    reflection.name = entry.specifier;
    if (entry.readme) {
      const { content } = app.converter.parseRawComment(
        new MinimalSourceFile(readFileSync(entry.readme, "utf8"), entry.readme),
        context.project.files,
      );
      reflection.readme = content;
      // Links to this README (from other READMEs and the guides) go to this module's page.
      context.project.files.registerReflectionPath(entry.readme, reflection);
    }
  });
}
