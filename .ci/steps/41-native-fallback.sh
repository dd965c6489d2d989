#!/usr/bin/env bash
# Proves the fallback: with TORSION_NATIVE_DISABLE=1 the install skips the addon build and the
# suites that ask for the native transport still pass, on node:net. Restores the addon after.
set -euo pipefail
cd "$(dirname "$0")/../.."
restore() { (cd packages/native && node scripts/install.cjs); }
trap restore EXIT
(cd packages/native && TORSION_NATIVE_DISABLE=1 node scripts/install.cjs)
test ! -e packages/native/build/Release/torsion_native.node
TORSION_NATIVE_DISABLE=1 pnpm vitest run --project @torsion/native
