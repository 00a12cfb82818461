#!/usr/bin/env bash
# Fails when a module includes a header of a module it does not declare (DEPS / PUBLIC_DEPS in
# src/*/CMakeLists.txt), when a module header needs a dependency it links only PRIVATE, when a
# public header (include/etpu/) includes an internal one, or when the modules form a cycle.
# Reads text only (no compile); see scripts/check_layering.py.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
exec python3 "$root/scripts/check_layering.py" "$root"
