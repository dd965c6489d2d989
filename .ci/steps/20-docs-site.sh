#!/usr/bin/env bash
# The docs site: build it with zero warnings (typedoc.config.mjs sets treatWarningsAsErrors),
# then open every page in headless Chromium from a loopback server and fail on any broken link,
# missing asset or console error (docs/check-site.mjs).
set -euo pipefail
cd "$(dirname "$0")/../.."

pnpm run docs
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  if [ "${CI:-}" = true ]; then
    echo "20-docs-site: no Chromium at ${CHROMIUM:-/usr/bin/chromium}; .ci/run installs Debian's chromium" >&2
    exit 1
  fi
  echo "20-docs-site: skipped the browser check: no Chromium at ${CHROMIUM:-/usr/bin/chromium}"
  exit 0
fi
node docs/check-site.mjs docs/site
