#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run.sh BUILDDIR SECONDS: runs every libFuzzer harness in BUILDDIR for SECONDS each, from
# the corpus kept in the tree (lib.sh).  TAP output: one result per harness; a crash fails it.
# The corpus is copied, never written: `long-run --update` is what grows it.
set -u
build=$1
seconds=${2:-20}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

source "$(dirname "$0")/lib.sh"
harnesses=("${fuzz_harnesses[@]}")
echo "1..${#harnesses[@]}"
n=0
for h in "${harnesses[@]}"; do
  n=$((n + 1))
  exe=$build/tests/fuzz/fuzz-$h
  if [ ! -x "$exe" ]; then
    echo "ok $n # SKIP fuzz-$h not built (configure with -Dfuzz=true and clang)"
    continue
  fi
  mkdir -p "$work/corpus-$h"
  mapfile -t seeds < <(fuzz_seed_dirs "$h")
  if (cd "$work" && ASAN_OPTIONS=detect_leaks=1 timeout $((seconds + 60)) "$exe" -max_total_time="$seconds" \
        -max_len=65536 -timeout=10 "$work/corpus-$h" "${seeds[@]}" > "$work/log-$h" 2>&1); then
    echo "ok $n - fuzz-$h: ${seconds}s, $(grep -o 'DONE.*' "$work/log-$h" | tail -1)"
  else
    echo "not ok $n - fuzz-$h found a failure"
    tail -40 "$work/log-$h" | sed 's/^/# /'
  fi
done
