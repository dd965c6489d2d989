#!/usr/bin/env bash
# The default transport is `auto` (native when @torsion/native loads), so `pnpm test` runs every
# package on the native transport; core's own project pins the portable one. This runs the
# whole suite again on the portable transport (node:net), which is what a machine without the
# addon gets.
set -euo pipefail
cd "$(dirname "$0")/../.."
TORSION_TRANSPORT=portable pnpm test
