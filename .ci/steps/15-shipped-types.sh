#!/usr/bin/env bash
# The .d.ts files each package ships must type-check on their own: `stripInternal` removes
# every `@internal` declaration, so a public type that still names one would leave a dangling
# reference that no other check sees (the build and the tests read the sources).
set -euo pipefail
cd "$(dirname "$0")/../.."

status=0
for manifest in packages/*/package.json; do
  dir="$(dirname "$manifest")"
  entries="$(node -e '
    const p = require("./" + process.argv[1]);
    if (p.private) process.exit(0);
    const out = new Set();
    for (const target of Object.values(p.exports ?? {}))
      if (target && typeof target === "object" && typeof target.types === "string") out.add(target.types);
    console.log([...out].join("\n"));
  ' "$manifest")"
  [ -n "$entries" ] || continue
  files=()
  while IFS= read -r entry; do files+=("$dir/${entry#./}"); done <<<"$entries"
  echo "shipped types of $dir: ${files[*]}"
  if ! pnpm exec tsc --ignoreConfig --noEmit --strict --module nodenext --moduleResolution nodenext \
    --target es2022 --lib es2023,esnext.disposable --types node "${files[@]}"; then
    echo "error: the .d.ts shipped by $dir do not type-check (an @internal declaration a public type needs?)"
    status=1
  fi
done
exit "$status"
