#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/run-all.sh: builds sbx twice and runs the whole test suite in both builds.
#
#   build/        the normal build (meson defaults: debugoptimized, -Werror)
#   build-asan/   -Db_sanitize=address,undefined -Db_lundef=false, LeakSanitizer on,
#                 sandboxes on the fuse-overlayfs storage driver (build/: the automatic choice)
#
# `meson test --print-errorlogs` in each, then (with CI=true or SBX_FUZZ=1) a bounded run
# of the libFuzzer harnesses of tests/fuzz/ (clang build in build-fuzz/, tests/fuzz/run.sh).
# The last line printed is always
#   N passed, N failed, N skipped
# counted over individual TAP results (a GTest case, one `ok`/`not ok` of a script) in
# both builds.  A build step that fails, or a test that fails without a `not ok` line of
# its own (crash, sanitizer report at exit, timeout, wrong plan), counts as one failure.
# Exit status: 0 only when nothing failed and at least one test passed.
#
# sbx is rootless, and so are its tests: run as root (CI does), this script makes sure the
# user $SBX_TEST_USER (default sbx-ci) exists with subuid/subgid ranges (setup.sh
# --user-only), copies the tree to a directory that user owns and runs itself there as
# that user.
#
# Environment: SBX_TEST_USER, SBX_FUZZ=1, SBX_FUZZ_SECONDS (default 30 per harness),
# SBX_ASAN_OPTIONS (replaces the ASAN_OPTIONS below), MESON_TESTTHREADS.
set -euo pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
say() { printf 'run-all: %s\n' "$*"; }

# Whatever stops this script early, its last line is still a summary.
summary_done=0
tmpfiles=()
on_exit() {
  local rc=$?
  rm -f "${tmpfiles[@]}"
  if [ "$summary_done" = 0 ]; then
    say "stopped before the summary (exit status $rc)"
    echo "0 passed, 1 failed"
    [ "$rc" -ne 0 ] || rc=1
  fi
  exit "$rc"
}
trap on_exit EXIT

# Variables that cross the switch to the test user.
pass_env() {
  local v
  for v in CI SBX_FUZZ SBX_FUZZ_SECONDS SBX_ASAN_OPTIONS SBX_TEST_USER MESON_TESTTHREADS TERM \
           SBX_VM_CACHE SBX_VM_NO_BUILD SBX_VM_TIMEOUT; do
    if [ -n "${!v+x}" ]; then printf '%s=%s\n' "$v" "${!v}"; fi
  done
}

# copy_tree DEST [USER]: a fresh copy of the source tree (no .git, no build dirs) in DEST.
copy_tree() {
  local dest=$1
  tar -C "$top" --exclude=./.git --exclude=./build --exclude=./build-asan --exclude=./build-fuzz -cf - . |
    if [ -n "${2:-}" ]; then
      runuser -u "$2" -- tar -C "$dest" --no-same-owner -xf -
    else
      tar -C "$dest" --no-same-owner -xf -
    fi
}

if [ "$(id -u)" -eq 0 ]; then
  user=${SBX_TEST_USER:-sbx-ci}
  say "running as root: the tests run as the unprivileged user $user"
  bash "$top/setup.sh" --user-only --user "$user"
  # The guest VM tier (tests/vm): its image is built here as root, into a cache that outlives
  # the clone (rebuilt only when tests/vm/packages, build-image.sh or guest/ change); the
  # vm test, run as $user, finds it in /var/cache/sbx-vm and only boots it.
  if [ -x "$top/tests/vm/build-image.sh" ] && command -v mmdebstrap >/dev/null; then
    say "guest VM image: tests/vm/build-image.sh /var/cache/sbx-vm"
    if ! timeout -k 10 900 "$top/tests/vm/build-image.sh" /var/cache/sbx-vm >/dev/null; then
      say "the guest VM image could not be built: the vm test will skip"
      export SBX_VM_NO_BUILD=1
    fi
  fi
  # The Debian image of the desktop tests (x11-apps, pulseaudio-utils, dbus-bin), likewise
  # built as root and cached in /var/cache/sbx-fixtures (rebuilt when its package list or
  # script changes); when it cannot be built, debian-desktop.skip says why and the test skips.
  if [ -x "$top/tests/fixtures/build-debian-desktop.sh" ]; then
    say "desktop image fixture: tests/fixtures/build-debian-desktop.sh /var/cache/sbx-fixtures"
    if ! timeout -k 10 900 "$top/tests/fixtures/build-debian-desktop.sh" /var/cache/sbx-fixtures; then
      say "the desktop image fixture could not be built: its checks in test-desktop.sh will skip"
    fi
  fi
  home=$(getent passwd "$user" | cut -d: -f6)
  dest=$home/sbx-run-all
  # Root removes the previous copy: tests may leave files owned by subordinate ids.
  rm -rf "$dest"
  install -d -m 0755 -o "$user" -g "$(id -g "$user")" "$dest"
  copy_tree "$dest" "$user"
  say "copied $top to $dest (owned by $user); logs end up in $dest/build*/meson-logs"
  cd "$dest"
  mapfile -t envs < <(pass_env)
  exec runuser -u "$user" -- env -i \
    HOME="$home" USER="$user" LOGNAME="$user" SHELL=/bin/bash LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SBX_RUN_ALL_ORIGIN="$top" "${envs[@]}" \
    bash "$dest/tests/run-all.sh" "$@"
fi

if [ ! -w "$top" ] && ! { [ -w "$top/build" ] && [ -w "$top/build-asan" ]; }; then
  # A checkout this user may read but not write: work on a private copy.
  dest=${XDG_CACHE_HOME:-$HOME/.cache}/sbx-run-all
  say "$top is not writable: copying it to $dest"
  if [ -e "$dest" ] && ! rm -rf "$dest" 2>/dev/null; then
    dest=$(mktemp -d "${TMPDIR:-/tmp}/sbx-run-all.XXXXXX")
    say "(the old copy cannot be removed; using $dest)"
  fi
  mkdir -p "$dest"
  copy_tree "$dest"
  SBX_RUN_ALL_ORIGIN=$top exec bash "$dest/tests/run-all.sh" "$@"
fi

cd "$top"
for tool in meson ninja python3; do
  command -v "$tool" >/dev/null || { say "$tool is missing: run 'sudo ./setup.sh' first"; }
done

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
unset ASAN_OPTIONS LSAN_OPTIONS || true

steps=$(mktemp)        # extra results: "RESULT<TAB>name", RESULT one of OK FAIL SKIP
tmpfiles+=("$steps" "$steps.logs")
logs=()

step_result() { printf '%s\t%s\n' "$1" "$2" >> "$steps"; }

# run_build DIR MULTIPLIER [MESON OPTIONS...]: configure, compile, test.
run_build() {
  local dir=$1 mult=$2
  shift 2
  say "=== $dir: meson setup $*"
  if [ -f "$dir/build.ninja" ]; then
    if [ $# -gt 0 ] && ! meson configure "$dir" "$@"; then
      step_result FAIL "$dir: meson configure"
      return
    fi
  elif ! meson setup "$dir" "$@"; then
    step_result FAIL "$dir: meson setup"
    return
  fi
  say "=== $dir: ninja"
  if ! ninja -C "$dir"; then
    step_result FAIL "$dir: compile"
    return
  fi
  say "=== $dir: meson test"
  rm -f "$dir/meson-logs/testlog.json"
  local rc=0
  meson test -C "$dir" --no-rebuild --print-errorlogs --timeout-multiplier "$mult" || rc=$?
  if [ -s "$dir/meson-logs/testlog.json" ]; then
    logs+=("$dir=$dir/meson-logs/testlog.json")
  else
    step_result FAIL "$dir: meson test ran nothing (exit $rc)"
  fi
}

run_build build 1

asan_dir=build-asan
mkdir -p "$asan_dir"
# LeakSanitizer stays on.  GLib's type system allocates once per process and keeps it
# reachable; these entries only cover such registrations, should a release report them.
cat > "$asan_dir/lsan.supp" <<'EOF'
leak:g_type_register_static
leak:g_type_register_fundamental
leak:g_type_add_interface_static
leak:g_type_class_ref
leak:g_quark_init
EOF
(
  export ASAN_OPTIONS=${SBX_ASAN_OPTIONS:-detect_leaks=1:halt_on_error=1:abort_on_error=0:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:print_summary=1}
  export LSAN_OPTIONS="suppressions=$top/$asan_dir/lsan.supp:print_suppressions=0"
  export G_SLICE=always-malloc G_DEBUG=gc-friendly
  # The normal build's runs take the automatic storage driver (the kernel's overlay where
  # the kernel allows it); this one's take fuse-overlayfs, so both pass the whole suite.
  export SBX_STORAGE_DRIVER=fuse-overlayfs
  run_build "$asan_dir" 2 -Db_sanitize=address,undefined -Db_lundef=false
  # run_build's results leave this subshell through files only.
  printf '%s\n' "${logs[@]}" > "$steps.logs"
)
if [ -f "$steps.logs" ]; then
  while IFS= read -r l; do
    case $l in "$asan_dir="*) logs+=("$l") ;; esac
  done < "$steps.logs"
  rm -f "$steps.logs"
fi

# Fuzz harnesses (CI=true or SBX_FUZZ=1): the libFuzzer harnesses of tests/fuzz/, built with
# clang in build-fuzz/ (-Dfuzz=true), run by tests/fuzz/run.sh for SBX_FUZZ_SECONDS each.
# Its TAP output counts like a test's; a harness that is not built is a SKIP.
if { [ "${CI:-}" = true ] || [ "${SBX_FUZZ:-0}" = 1 ]; } && [ -x tests/fuzz/run.sh ]; then
  secs=${SBX_FUZZ_SECONDS:-30}
  fuzz_dir=build-fuzz
  if ! command -v clang >/dev/null; then
    step_result SKIP "fuzz: clang not installed"
  else
    say "=== $fuzz_dir: meson setup (clang, -Dfuzz=true)"
    if { [ -f "$fuzz_dir/build.ninja" ] ||
         CC=clang meson setup "$fuzz_dir" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false; } &&
       say "=== $fuzz_dir: ninja" && ninja -C "$fuzz_dir"; then
      say "=== fuzz: tests/fuzz/run.sh $top/$fuzz_dir $secs"
      fuzz_rc=0
      UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
        timeout --kill-after=10 $((secs * 8 + 300)) bash tests/fuzz/run.sh "$top/$fuzz_dir" "$secs" \
        > "$fuzz_dir/fuzz.tap" 2>&1 || fuzz_rc=$?
      cat "$fuzz_dir/fuzz.tap"
      # The same shape as a line of meson's testlog.json, for the counting below.
      python3 -c 'import json, sys
print(json.dumps({"name": "fuzz / run.sh", "result": "OK" if sys.argv[2] == "0" else "FAIL",
                  "returncode": int(sys.argv[2]), "stdout": open(sys.argv[1], errors="replace").read()}))' \
        "$fuzz_dir/fuzz.tap" "$fuzz_rc" > "$fuzz_dir/fuzz-testlog.json"
      logs+=("$fuzz_dir=$fuzz_dir/fuzz-testlog.json")
    else
      step_result FAIL "$fuzz_dir: build"
    fi
  fi
fi

# Counting: one result per top-level TAP line of each test's stdout in testlog.json.
summary_rc=0
python3 - "$steps" "${logs[@]}" <<'PYEOF' || summary_rc=$?
import json, re, sys

steps_file, logs = sys.argv[1], sys.argv[2:]
passed = failed = skipped = 0
failures = []
per_build = {}

tap_line = re.compile(r'^(not ok|ok)\b(.*)$')
directive = re.compile(r'#\s*(SKIP|TODO)\b', re.IGNORECASE)

for spec in logs:
    build, path = spec.split('=', 1)
    b = per_build.setdefault(build, [0, 0, 0])
    with open(path, encoding='utf-8', errors='replace') as f:
        for raw in f:
            raw = raw.strip()
            if not raw:
                continue
            try:
                t = json.loads(raw)
            except ValueError:
                failures.append(f'{build}: unreadable line in {path}')
                failed += 1; b[1] += 1
                continue
            name = t.get('name', '?')
            result = t.get('result', '?')
            p = fl = s = 0
            bail = False
            plan_skip = False
            for line in (t.get('stdout') or '').splitlines():
                m = tap_line.match(line)
                if m:
                    ok, rest = m.group(1) == 'ok', m.group(2)
                    d = directive.search(rest)
                    kind = d.group(1).upper() if d else None
                    if kind == 'SKIP' or (kind == 'TODO' and not ok):
                        s += 1
                    elif ok:
                        p += 1
                    else:
                        fl += 1
                        failures.append(f'{build}: {name}: {line.strip()}')
                elif line.startswith('Bail out!'):
                    bail = True
                elif re.match(r'^1\.\.0\b', line) and directive.search(line):
                    plan_skip = True
            if p + fl + s == 0:
                # Not TAP, or TAP that printed no result: the test's own verdict counts once.
                if result in ('OK', 'EXPECTEDFAIL'):
                    p = 1
                elif result == 'SKIP' or plan_skip:
                    s = 1
                else:
                    fl = 1
                    failures.append(f'{build}: {name}: {result} without any TAP result')
            elif result not in ('OK', 'SKIP', 'EXPECTEDFAIL') and fl == 0:
                # All its TAP lines passed but the test did not (exit status, crash,
                # sanitizer report, timeout, plan mismatch): one failure of its own.
                fl = 1
                why = 'Bail out!' if bail else f'{result}, exit status {t.get("returncode")}'
                failures.append(f'{build}: {name}: {why} after {p} passing results')
            passed += p; failed += fl; skipped += s
            b[0] += p; b[1] += fl; b[2] += s

with open(steps_file) as f:
    for line in f:
        line = line.rstrip('\n')
        if not line:
            continue
        result, name = line.split('\t', 1)
        if result == 'OK':
            passed += 1
        elif result == 'SKIP':
            skipped += 1
        else:
            failed += 1
            failures.append(f'{name}: failed')

print()
print('run-all: results per build')
for build, (p, fl, s) in per_build.items():
    print(f'  {build}: {p} passed, {fl} failed, {s} skipped')
if failures:
    print('run-all: failures')
    for x in failures:
        print('  ' + x)
if passed + failed == 0:
    print('run-all: no test ran')
print(f'{passed} passed, {failed} failed, {skipped} skipped')
sys.exit(1 if failed or passed + failed == 0 else 0)
PYEOF
summary_done=1
if [ "$summary_rc" -gt 1 ]; then
  say "counting the results failed (python3 exit status $summary_rc)"
  echo "0 passed, 1 failed"
  exit 1
fi
exit "$summary_rc"
