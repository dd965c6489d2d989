#!/usr/bin/env bash
# valgrind memcheck over a short echo on the native transport (@torsion/native): no invalid
# reads or writes, no definite leaks in the addon. Skips when valgrind or the addon is absent.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v valgrind >/dev/null; then echo "skip: valgrind is not installed"; exit 0; fi
if [ ! -f packages/native/build/Release/torsion_native.node ]; then
  echo "skip: the native addon was not built (see the install log)"; exit 0
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite \
  --log-file="$log" node packages/native/scripts/short-echo.mjs 50 4
invalid=$(grep -cE "Invalid (read|write)|Conditional jump|uninitialised" "$log" || true)
addon_leaks=$(grep -A30 "definitely lost" "$log" | grep -c "torsion_native" || true)
grep -E "ERROR SUMMARY|definitely lost:" "$log" || true
if [ "$invalid" -ne 0 ] || [ "$addon_leaks" -ne 0 ]; then
  echo "valgrind: $invalid invalid accesses, $addon_leaks definite leaks in the addon"; cat "$log"; exit 1
fi
echo "valgrind: clean (no invalid reads/writes, no definite leaks in the addon)"
