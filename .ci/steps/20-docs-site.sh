#!/usr/bin/env bash
# The docs site: build it with zero warnings (typedoc.config.mjs sets treatWarningsAsErrors),
# then open every page in headless Chromium from a loopback server and fail on any broken link,
# missing asset or console error (docs/check-site.mjs).
set -euo pipefail
cd "$(dirname "$0")/../.."

pnpm run docs
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  # .ci/run installs Debian's chromium as root; without it (no root, no apt) the site is still
  # built and checked by typedoc, only not opened.
  echo "20-docs-site: SKIPPED the browser check: no Chromium at ${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium)"
  exit 0
fi
node docs/check-site.mjs docs/site "${CHROMIUM:-/usr/bin/chromium}"
