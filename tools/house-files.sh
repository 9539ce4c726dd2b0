# shellcheck shell=bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# house-files.sh: which files the house rules apply to, and how each takes its SPDX line.
# Sourced by tools/spdx-add.sh, tools/house-format.sh and tests/style/check-house-rules.sh.

SBX_SPDX_ID='SPDX-License-Identifier: LGPL-2.1-or-later'
SBX_SPDX_C="/* $SBX_SPDX_ID */"
SBX_SPDX_HASH="# $SBX_SPDX_ID"

# house_files TOP: the tree's files, relative to TOP, one a line: git's tracked files in a
# checkout, else (a copy without .git, as tests/run-all.sh makes) every file but build dirs.
house_files() {
  local top=$1
  if git -C "$top" rev-parse --show-toplevel >/dev/null 2>&1 &&
     [ "$(git -C "$top" rev-parse --show-toplevel)" = "$(cd "$top" && pwd -P)" ]; then
    git -C "$top" ls-files
  else
    (cd "$top" && find . \( -path ./.git -o -path './build*' -o -path ./subprojects \) -prune -o \
       -type f -print | sed 's|^\./||' | LC_ALL=C sort)
  fi
}

# house_kind TOP FILE: how FILE takes its SPDX line:
#   c     a C source or header: "/* SPDX... */" as line 1
#   hash  a shell, meson, Python, AppArmor or systemd file: "# SPDX..." as line 1, or after
#         the shebang and any "# shellcheck" directives right below it
#   none  data that takes no comment or is compared as written: JSON, Markdown, XML
#         resources, package lists, the license, dotfiles, the fuzz corpus
house_kind() {
  local top=$1 f=$2
  case $f in
    *.c|*.h) echo c ;;
    *.json|*.md|*.xml|*.txt.in|LICENSE|.*|*/.*|tests/vm/packages|tests/fuzz/corpus/*) echo none ;;
    *.sh|*.py|meson.build|*/meson.build|meson_options.txt|*.service) echo hash ;;
    data/apparmor/sbx-default|data/apparmor/sbx.in|data/apparmor/userns-probe) echo hash ;;
    *)
      if [ "$(head -c 2 "$top/$f" 2>/dev/null)" = '#!' ]; then echo hash; else echo none; fi ;;
  esac
}

# house_has_spdx TOP FILE KIND: whether FILE carries its SPDX line where KIND puts it.
house_has_spdx() {
  local top=$1 f=$2 kind=$3
  case $kind in
    c) [ "$(head -n 1 "$top/$f")" = "$SBX_SPDX_C" ] ;;
    hash) head -n 4 "$top/$f" | grep -qxF "$SBX_SPDX_HASH" ;;
    *) return 0 ;;
  esac
}
