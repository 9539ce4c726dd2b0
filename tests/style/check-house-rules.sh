#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# check-house-rules.sh [TOP]: the house rules, as TAP.  TOP is the source tree (default:
# $SBX_TESTS_SRCDIR/.., else this script's checkout).  One `ok` per rule the whole tree
# keeps, one `not ok` per problem ("FILE[:LINE]: what is wrong"):
#   spdx          every source file carries its SPDX line (tools/spdx-add.sh adds it)
#   clang-format  every .c and .h is as .clang-format lays it out (tools/house-format.sh);
#                 skipped without clang-format 14 (SBX_CLANG_FORMAT names one)
#   includes      no #include "../...": a layer reaches another through its include dirs
#   purpose       every .c and .h opens (after the SPDX line) with its purpose comment,
#                 "/* NAME.c: what it is for ... */"
#   file-length   no source file of the product (common/ profiles/ storage/ net/ launcher/,
#                 tools/, data/, setup.sh) over 1000 lines
#   function-length  no C function body of the product over 75 lines
# (tests are held to the layout rules, not the length ones: a table of test cases is long)
# Exit status: 0 when nothing is wrong (skips included), 1 otherwise.
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
if [ $# -ge 1 ]; then
  top=$1
elif [ -n "${SBX_TESTS_SRCDIR:-}" ]; then
  top=$SBX_TESTS_SRCDIR/..
else
  top=$here/../..
fi
top=$(cd "$top" && pwd -P)
# shellcheck source=tools/house-files.sh
. "$top/tools/house-files.sh"

MAX_FILE_LINES=1000
MAX_FUNCTION_LINES=75

results=()
failed=0
report() { # RULE PROBLEM...: one `not ok` per problem, or `ok RULE` when there is none
  local rule=$1
  shift
  if [ $# -eq 0 ]; then
    results+=("ok - $rule")
    return
  fi
  local p
  for p in "$@"; do
    results+=("not ok - $rule: $p")
  done
  failed=1
}

c_files=()
source_files=()
spdx_problems=()
while IFS= read -r f; do
  [ -f "$top/$f" ] && [ ! -L "$top/$f" ] || continue
  kind=$(house_kind "$top" "$f")
  [ "$kind" = none ] && continue
  source_files+=("$f")
  [ "$kind" = c ] && c_files+=("$f")
  house_has_spdx "$top" "$f" "$kind" || spdx_problems+=("$f: no SPDX line (tools/spdx-add.sh adds it)")
done < <(house_files "$top")
report spdx "${spdx_problems[@]}"

# clang-format: the same major version as CI (Debian 12's 14), or the layout differs.
clang_format=${SBX_CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}
cf_version=
[ -n "$clang_format" ] && cf_version=$("$clang_format" --version 2>/dev/null | sed -n 's/.*clang-format version \([0-9]*\)\..*/\1/p')
if [ -z "$clang_format" ]; then
  results+=("ok - clang-format # SKIP clang-format is not installed (apt-get install clang-format)")
elif [ "$cf_version" != 14 ]; then
  results+=("ok - clang-format # SKIP $clang_format is version ${cf_version:-unknown}, .clang-format is for 14 (set SBX_CLANG_FORMAT)")
else
  problems=()
  for f in "${c_files[@]}"; do
    first=$(cd "$top" && "$clang_format" --style=file "$f" | diff "$f" - | sed -n '1s/^\([0-9]*\).*/\1/p')
    [ -n "$first" ] && problems+=("$f:$first: not as clang-format lays it out (tools/house-format.sh)")
  done
  report clang-format "${problems[@]}"
fi

problems=()
while IFS= read -r hit; do
  problems+=("$hit: relative #include (use the layer's include directories)")
done < <(cd "$top" && for f in "${c_files[@]}"; do grep -nHE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"\.\./' "$f" | cut -d: -f1,2; done)
report includes "${problems[@]}"

problems=()
for f in "${c_files[@]}"; do
  base=${f##*/}
  # The first line that is neither the SPDX line nor blank opens the purpose comment.
  first=$(awk -v spdx="$SBX_SPDX_C" '$0 != spdx && NF { print; exit }' "$top/$f")
  case $first in
    "/* $base: "*|"/* ${base%.*}: "*|"/* $base:"|"/* ${base%.*}:") ;;
    *) problems+=("$f: does not open with its purpose comment \"/* $base: what it is for */\"") ;;
  esac
done
report purpose "${problems[@]}"

# The product's files, for the length rules.
is_product() { case $1 in tests/*|bench/*) return 1 ;; *) return 0 ;; esac; }

problems=()
for f in "${source_files[@]}"; do
  is_product "$f" || continue
  n=$(wc -l <"$top/$f")
  [ "$n" -gt "$MAX_FILE_LINES" ] && problems+=("$f: $n lines (at most $MAX_FILE_LINES)")
done
report file-length "${problems[@]}"

# A definition, in the house layout: the name at column 0 followed by " (", the body from a
# "{" to a "}" at column 0.
problems=()
while IFS= read -r hit; do
  problems+=("$hit")
done < <(cd "$top" && for f in "${c_files[@]}"; do
  is_product "$f" || continue
  awk -v max="$MAX_FUNCTION_LINES" '
    /^[A-Za-z_][A-Za-z0-9_]* \(/ { name = $1; candidate = 1 }
    /^\{/ && candidate { start = FNR; candidate = 0; next }
    /^\}/ && start { if (FNR - start - 1 > max) printf "%s:%d: %s: %d lines (at most %d)\n", FILENAME, start, name, FNR - start - 1, max; start = 0 }
  ' "$f"
done)
report function-length "${problems[@]}"

echo "1..${#results[@]}"
i=0
for r in "${results[@]}"; do
  i=$((i + 1))
  case $r in
    "ok - "*) echo "ok $i ${r#ok }" ;;
    *) echo "not ok $i ${r#not ok }" ;;
  esac
done
exit "$failed"
