#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-completion.sh: the shell completions (data/completion/) complete what a user types:
# commands, sub-commands, options and their values, and the names of images, profiles, named
# and running sandboxes from the store, through bash (bash-completion), fish and zsh.  Each
# shell's file is configured to run the source tree's sbx-complete; sbx is found on PATH, as
# a user's would be.
set -u
. "$(dirname "$0")/lib.sh"

SRC=$SBX_TESTS_SRCDIR/../data/completion
ENGINE=$SRC/sbx-complete
mkdir -p "$W/bin"
ln -s "$SBX" "$W/bin/sbx"
export PATH=$W/bin:$PATH
for f in sbx.bash _sbx sbx.fish; do
  sed "s|@SBX_COMPLETE@|$ENGINE|" "$SRC/$f.in" >"$W/$f"
done

# A store with an image, a named sandbox and a running one.
tar=$SBX_TESTS_BUILDDIR/../data/default-image.tar
run_sbx image import "oci-archive:$tar" compimage
rc_is 0 "an image to complete (compimage)"
run_sbx run --name compbox default true
rc_is 0 "a named sandbox to complete (compbox)"
"$SBX" run --name comprunning default sleep 300 >"$W/running.out" 2>&1 &
running_pid=$!
bg_track "$running_pid"
for _ in $(seq 200); do
  "$SBX" ps -q 2>/dev/null | grep -qx comprunning && break
  kill -0 "$running_pid" 2>/dev/null || break
  sleep 0.1
done

# bash_complete LINE: what bash offers for LINE (cursor at its end), one a line.
bash_complete() {
  bash --norc --noprofile -c '
    . /usr/share/bash-completion/bash_completion
    . "$1"
    read -ra COMP_WORDS <<<"$2"
    [[ $2 == *" " ]] && COMP_WORDS+=("")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1)) COMP_LINE=$2 COMP_POINT=${#2}
    _sbx
    printf "%s\n" "${COMPREPLY[@]}"' _ "$W/sbx.bash" "$1"
}
fish_complete() { fish --no-config -c "source '$W/sbx.fish'; complete -C'$1'" | cut -f1; }
# zsh_complete LINE: the candidates _sbx hands to compadd (and "FILES" for _files).
zsh_complete() {
  zsh -f -c '
    compadd() { while [[ $1 == -* && $1 != -- ]]; do [[ $1 == -S ]] && shift; shift; done; [[ $1 == -- ]] && shift;
      for c in "$@"; do [[ $c == $PREFIX* ]] && print -r -- $c; done }
    _files() { print FILES }
    words=(${=2}); [[ $2 == *" " ]] && words+=("")
    CURRENT=${#words}; PREFIX=${words[CURRENT]}
    source "$1"' _ "$W/_sbx" "$1"
}

have_bash_completion=yes
[ -f /usr/share/bash-completion/bash_completion ] || have_bash_completion=
shells=()
[ -n "$have_bash_completion" ] && shells+=(bash)
command -v fish >/dev/null && shells+=(fish)
command -v zsh >/dev/null && shells+=(zsh)
[ -n "$have_bash_completion" ] || skip "bash completion" "bash-completion is not installed"
command -v fish >/dev/null || skip "fish completion" "fish is not installed"
command -v zsh >/dev/null || skip "zsh completion" "zsh is not installed"

# expect SHELL LINE ERE DESC: the candidates for LINE include a line matching ERE.
expect() {
  local got
  got=$("$1_complete" "$2" 2>&1)
  if printf '%s\n' "$got" | grep -Eqx -- "$3"; then
    ok "$1: '$2' offers $4"
  else
    not_ok "$1: '$2' offers $4" "got: $(printf '%s' "$got" | tr '\n' ' ' | cut -c1-400)"
  fi
}
# refuse SHELL LINE ERE DESC: no candidate matches ERE.
refuse() {
  local got
  got=$("$1_complete" "$2" 2>&1)
  if printf '%s\n' "$got" | grep -Eqx -- "$3"; then
    not_ok "$1: '$2' does not offer $4" "got: $(printf '%s' "$got" | tr '\n' ' ' | cut -c1-400)"
  else
    ok "$1: '$2' does not offer $4"
  fi
}

for sh in "${shells[@]}"; do
  expect "$sh" "sbx " 'run' "the command run"
  expect "$sh" "sbx im" 'image' "the command image"
  refuse "$sh" "sbx im" 'run' "commands not starting with im"
  expect "$sh" "sbx image " 'prune' "the image sub-command prune"
  expect "$sh" "sbx run --pro" '--profile=?' "run's --profile"
  expect "$sh" "sbx ps -" '--all|-a' "ps's --all"
  expect "$sh" "sbx run --profile " 'firefox' "the profile firefox"
  expect "$sh" "sbx run --profile=fi" '--profile=firefox' "the profile firefox after --profile="
  expect "$sh" "sbx run --network " 'slirp:allow-host-loopback' "a network mode"
  expect "$sh" "sbx run " 'compimage' "the stored image compimage"
  expect "$sh" "sbx run " 'host' "the built-in image host"
  expect "$sh" "sbx run -e A=1 --name x " 'compimage' "an image after options and their values"
  expect "$sh" "sbx start " 'compbox' "the named sandbox compbox"
  expect "$sh" "sbx stop " 'comprunning' "the running sandbox comprunning"
  refuse "$sh" "sbx stop " 'compbox' "the named sandbox that is not running"
  expect "$sh" "sbx image rm " 'compimage' "the image compimage to remove"
  expect "$sh" "sbx profile show " 'devshell' "the profile devshell"
  expect "$sh" "sbx --log-level " 'debug' "a log level"
done

run_sbx kill comprunning
wait "$running_pid" 2>/dev/null
run_sbx rm compbox
done_testing
