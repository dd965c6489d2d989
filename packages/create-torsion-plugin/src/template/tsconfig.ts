/**
 * The scaffolded `tsconfig.json`: self-contained (it extends nothing), ESM for Node.
 *
 * @module
 */

/** The scaffolded plugin's `tsconfig.json`: `tsc` builds `src/` (tests excluded) into `dist/`. */
export function tsconfigJson(): string {
  // Written out rather than JSON.stringify'd: short arrays on one line, as formatters keep them.
  return `{
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2023", "ESNext.Disposable"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "declaration": true,
    "sourceMap": true,
    "verbatimModuleSyntax": true,
    "rewriteRelativeImportExtensions": true,
    "noImplicitOverride": true,
    "skipLibCheck": true,
    "types": ["node"],
    "rootDir": "src",
    "outDir": "dist"
  },
  "include": ["src"],
  "exclude": ["src/**/*.test.ts"]
}
`;
}

/** The scaffolded `.gitignore`. */
export function gitignore(): string {
  return "node_modules/\ndist/\n*.tgz\n";
}
