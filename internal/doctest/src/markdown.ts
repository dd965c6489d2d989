/**
 * Fenced code blocks of a Markdown page, with the doc-test directive written before each.
 *
 * A directive is an HTML comment on the line before the fence (blank lines between are
 * allowed), invisible on GitHub and in the site:
 *
 * - `<!-- doctest: skip <reason> -->`: not run; the reason is required and reported.
 * - `<!-- doctest: file <name> -->`: not run by itself; written as `<name>` beside the page's
 *   other blocks so a later block can load it (a worker module, a helper).
 * - `<!-- doctest: typecheck-only <reason> -->`: a `ts` block type-checked but not executed
 *   (it serves until stopped, on a fixed port); the reason is required and reported.
 * - `<!-- doctest: requires <command> -->`: run, unless `<command>` is not installed (then
 *   skipped, saying so), for `sh` blocks that use a system tool such as `nc`.
 */

/** The languages the doc tests run; every other fenced language is prose. */
export type RunnableLanguage = "ts" | "js" | "sh";

export type Directive =
  | { readonly kind: "none" }
  | { readonly kind: "skip"; readonly reason: string }
  | { readonly kind: "file"; readonly name: string }
  | { readonly kind: "requires"; readonly command: string }
  | { readonly kind: "typecheck-only"; readonly reason: string }
  | { readonly kind: "invalid"; readonly text: string };

export interface CodeBlock {
  /** The info string's first word, lower-cased (`""` when the fence has none). */
  readonly info: string;
  /** `info` mapped to what runs it, or `null` for prose languages (`text`, `json`, `python`...). */
  readonly language: RunnableLanguage | null;
  readonly code: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly directive: Directive;
}

const LANGUAGES: Readonly<Record<string, RunnableLanguage>> = {
  ts: "ts",
  typescript: "ts",
  js: "js",
  javascript: "js",
  mjs: "js",
  sh: "sh",
  bash: "sh",
  shell: "sh",
  console: "sh",
};

const FENCE = /^(`{3,}|~{3,})\s*([^`\s]*)/;
const DIRECTIVE = /^\s*<!--\s*doctest:\s*(.*?)\s*-->\s*$/;

function parseDirective(text: string): Directive {
  const skip = /^skip\s+(\S.*)$/.exec(text);
  if (skip) return { kind: "skip", reason: skip[1]! };
  const typecheckOnly = /^typecheck-only\s+(\S.*)$/.exec(text);
  if (typecheckOnly) return { kind: "typecheck-only", reason: typecheckOnly[1]! };
  const file = /^file\s+([\w.-]+)$/.exec(text);
  if (file) return { kind: "file", name: file[1]! };
  const requires = /^requires\s+([\w.-]+)$/.exec(text);
  if (requires) return { kind: "requires", command: requires[1]! };
  return { kind: "invalid", text };
}

/** Every fenced block of `markdown`, in order, nested fences inside list items included. */
export function extractCodeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  let pending: Directive = { kind: "none" };
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i]!;
    const directive = DIRECTIVE.exec(text);
    if (directive) {
      pending = parseDirective(directive[1]!);
      continue;
    }
    const open = FENCE.exec(text.trimStart());
    if (!open) {
      if (text.trim() !== "") pending = { kind: "none" };
      continue;
    }
    // Fences inside list items are indented; their body is, by as much.
    const indent = text.length - text.trimStart().length;
    const fence = open[1]!;
    const info = open[2]!.toLowerCase();
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const candidate = lines[j]!.trim();
      if (candidate.length >= fence.length && candidate === fence[0]!.repeat(candidate.length)) {
        break;
      }
      const line = lines[j]!;
      const leading = line.length - line.trimStart().length;
      body.push(line.slice(Math.min(indent, leading)));
    }
    blocks.push({
      info,
      language: LANGUAGES[info] ?? null,
      code: `${body.join("\n")}\n`,
      line: i + 1,
      directive: pending,
    });
    pending = { kind: "none" };
    i = j;
  }
  return blocks;
}
