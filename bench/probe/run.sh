#!/usr/bin/env bash
# Build the epoll echo probe (if needed) and run it on port $1; see epoll-echo.c.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "$here/.build"
if [ ! -x "$here/.build/epoll-echo" ] || [ "$here/epoll-echo.c" -nt "$here/.build/epoll-echo" ]; then
  cc -O2 -Wall -o "$here/.build/epoll-echo" "$here/epoll-echo.c"
fi
exec "$here/.build/epoll-echo" "$1"
