#!/usr/bin/env bash
# create-torsion-plugin, end to end and out of the repository, as a user meets it: pack every
# published package, scaffold a line plugin and a raw one into a temporary directory, install
# them from the tarballs with npm (no workspace), run their tests and build, pack them, install
# them next to @torsion/application in a second project, and talk to `npx twist <name>` over
# loopback. Needs nothing but npm's registry (for typescript, vitest, @types/node).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$PWD"
helper="$repo/.ci/steps/30-plugin-scaffold.mjs"

work="$(mktemp -d "${TMPDIR:-/tmp}/torsion-plugin-scaffold.XXXXXX")"
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
case "$work" in "$repo"/*) echo "temporary directory $work is inside the repository" >&2; exit 1 ;; esac

# Quiet, reproducible npm: no audit/fund chatter, nothing from outside the registry.
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

echo "--- pack every published package into $work/tarballs"
mkdir -p "$work/tarballs"
for dir in packages/*/; do
  [ "$(node -p "Boolean(require('./${dir}package.json').private)")" = true ] && continue
  (cd "$dir" && pnpm pack --pack-destination "$work/tarballs" >/dev/null)
done
node "$helper" tarball-map "$repo" "$work/tarballs" >"$work/tarballs.json"
ls "$work/tarballs"

echo "--- scaffold with create-torsion-plugin from its tarball, as npm create runs it (npm exec)"
scaffolder="$(node "$helper" tarball-of "$work/tarballs.json" create-torsion-plugin)"
create() { (cd "$work" && npm exec --yes --package="$scaffolder" -- create-torsion-plugin "$@"); }
create plugins/torsion-plugin-reverse --name reverse
create plugins/rot13 --protocol raw
if create plugins/rot13 >/dev/null 2>&1; then
  echo "create-torsion-plugin wrote into a non-empty directory" >&2; exit 1
fi

mkdir -p "$work/packed"
for plugin in torsion-plugin-reverse rot13; do
  dir="$work/plugins/$plugin"
  echo "--- $plugin: standalone (no workspace, no path into the repository, published ranges)"
  node "$helper" check-standalone "$dir" "$repo"
  cp "$dir/package.json" "$work/$plugin.package.json"
  # Point @torsion/* at the tarballs, directly and transitively (npm overrides), for the install.
  node "$helper" use-tarballs "$dir/package.json" "$work/tarballs.json"
  (cd "$dir" && npm install >/dev/null)
  # The scaffold as written must not need the build before its tests: test first, then build.
  (cd "$dir" && rm -rf dist && npm test && npm run build)
  # Pack with the package.json as scaffolded (published ranges), as its author would publish it.
  cp "$work/$plugin.package.json" "$dir/package.json"
  (cd "$dir" && npm pack --loglevel=warn --pack-destination "$work/packed" >/dev/null)
done
ls "$work/packed"

echo "--- a second project: @torsion/application and both plugins from their tarballs"
mkdir -p "$work/app"
node "$helper" app-package "$work/app/package.json" "$work/tarballs.json" "$work/packed"/*.tgz
(cd "$work/app" && npm install >/dev/null)
help="$(cd "$work/app" && npx --no-install twist --help)"
for name in reverse rot13; do
  if ! grep -Eq "^ +$name( |$)" <<<"$help"; then
    echo "twist --help does not list the $name plugin:" >&2; echo "$help" >&2; exit 1
  fi
done
echo "twist --help lists reverse and rot13"

echo "--- talk to npx twist <name> over loopback"
(cd "$work/app" && node "$helper" serve-and-talk reverse $'stressed\r\n' $'desserts\r\n')
(cd "$work/app" && node "$helper" serve-and-talk rot13 'Uryyb, jbeyq' 'Hello, world')
echo "plugin scaffold: ok"
