#!/usr/bin/env bash
# The scale-out recipe under load with the real balancers (HAProxy, nginx stream): rolling
# restart with 50 lanes for 20 s, SIGKILL takeout, SIGTERM with long-lived connections.
# `pnpm test` runs only the quick balancer tests; this runs them all (about a minute and a half).
set -euo pipefail
for b in haproxy nginx; do
  command -v "$b" >/dev/null || echo "warning: $b not installed: its scale-out tests will be skipped"
done
TORSION_SCALE_OUT_LOAD=1 pnpm vitest run --project @torsion/examples examples/scale-out
