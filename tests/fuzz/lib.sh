# SPDX-License-Identifier: LGPL-2.1-or-later
# tests/fuzz/lib.sh: what run.sh and long-run share: the harness list and each one's seeds.
# Sourced, not run.  The corpus of each harness lives in tests/fuzz/corpus/HARNESS/ (hand-made
# seeds named seed-*, plus what `long-run --update` merged in); some harnesses also start
# from files the tree or the host already has.

fuzz_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

# Every libFuzzer harness of tests/fuzz/meson.build, by the name after "fuzz-".
fuzz_harnesses=(subid error-decode publish unpack oci-archive profile profile-cache registry dbus-policy desktop-file image-json netrule dns)

# fuzz_seed_dirs HARNESS: the directories whose files seed HARNESS, one per line.
fuzz_seed_dirs() {
  echo "$fuzz_dir/corpus/$1"
  case $1 in
    profile) echo "$fuzz_dir/../../data/profiles" ;;
    desktop-file) [ -d /usr/share/applications ] && echo /usr/share/applications ;;
  esac
  return 0
}
