import ts from "typescript";

/**
 * Type-check `files` (absolute paths) as one program against the packages' built declarations
 * (no `@torsion/source` condition: what a user of the published packages sees). Returns the
 * diagnostics of each file, formatted as `line:column message` relative to that file.
 */
export function typecheck(files: readonly string[]): Map<string, string[]> {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    lib: ["lib.es2023.d.ts", "lib.esnext.disposable.d.ts"],
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    moduleDetection: ts.ModuleDetectionKind.Force,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    types: ["node"],
  };
  const program = ts.createProgram(files, options);
  const byFile = new Map<string, string[]>(files.map((file) => [file, []]));
  for (const file of files) {
    const source = program.getSourceFile(file);
    if (!source) {
      byFile.get(file)!.push(`0:0 not part of the program`);
      continue;
    }
    for (const diagnostic of ts.getPreEmitDiagnostics(program, source)) {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n");
      if (diagnostic.file && diagnostic.start !== undefined) {
        const at = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
        byFile
          .get(file)!
          .push(`${at.line + 1}:${at.character + 1} TS${diagnostic.code}: ${message}`);
      } else {
        byFile.get(file)!.push(`0:0 TS${diagnostic.code}: ${message}`);
      }
    }
  }
  return byFile;
}

/** `code` with its types stripped, as the ES module Node would run (imports left as written). */
export function transpile(code: string): string {
  return ts.transpileModule(code, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      verbatimModuleSyntax: true,
    },
  }).outputText;
}
