#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-man.sh: the man pages (data/man/*.scd) and the command line say the same: every option a
# command's --help lists is in its page's OPTIONS and every option there is in --help; every
# command and sub-command `sbx --help` and `sbx FAMILY --help` list has its page and is in the
# COMMANDS of sbx(1) or sbx-FAMILY(1), and nothing else is.  Reads the scdoc sources, so it
# needs no scdoc.
set -u
. "$(dirname "$0")/lib.sh"

MAN_DIR=$SBX_TESTS_SRCDIR/../data/man

# help_options ARGS...: the options `sbx ARGS --help` lists (-x and --long), one a line, sorted;
# -h/--help left out.  An option line is indented and starts with "-" (also in the summary).
help_options() {
  "$SBX" "$@" --help 2>/dev/null | grep -E '^ +-' | sed -E 's/^ +//; s/ {2,}.*//' |
    grep -oE -- '(^|, )--?[A-Za-z0-9][A-Za-z0-9-]*' | sed -E 's/^, //' | grep -vxE -- '-h|--help' | sort -u
}

# section PAGE NAME: the lines of section "# NAME" of PAGE.
section() {
  awk -v want="# $2" '/^# / { on = ($0 == want); next } on' "$1"
}

# page_options PAGE: the options of the item lines (not tab-indented) of its OPTIONS section.
page_options() {
  section "$1" OPTIONS | grep -v $'^\t' | grep -oE -- '\*--?[A-Za-z0-9][A-Za-z0-9-]*\*' | tr -d '*' |
    grep -vxE -- '-h|--help' | sort -u
}

# help_commands ARGS...: the commands of `sbx ARGS --help` ("Commands:" then "  NAME  text").
help_commands() {
  "$SBX" "$@" --help 2>/dev/null | awk '/^Commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { on = 0 }' |
    sort -u
}

# page_commands PAGE: the item lines of its COMMANDS section ("*name*").
page_commands() {
  section "$1" COMMANDS | grep -oE '^\*[a-z-]+\*' | tr -d '*' | sort -u
}

# same WHAT GOT_LIST WANT_LIST DESC: one TAP line; the differences as diagnostics.
same() {
  local what=$1 help=$2 page=$3 desc=$4 missing extra
  missing=$(comm -23 <(echo "$help") <(echo "$page") | grep . | tr '\n' ' ')
  extra=$(comm -13 <(echo "$help") <(echo "$page") | grep . | tr '\n' ' ')
  if [ -z "$missing" ] && [ -z "$extra" ] && [ -n "$help$page" ]; then
    ok "$desc"
  else
    not_ok "$desc" "in --help but not in the page's $what: ${missing:-none}" \
      "in the page's $what but not in --help: ${extra:-none}"
  fi
}

# The commands of sbx(1) are those of `sbx --help`.
top=$(help_commands)
same COMMANDS "$top" "$(page_commands "$MAN_DIR/sbx.1.scd")" "sbx(1) COMMANDS are the commands of sbx --help"

for cmd in $top; do
  [ "$cmd" = version ] && continue # sbx(1) documents it (and --version)
  page=$MAN_DIR/sbx-$cmd.1.scd
  if [ ! -f "$page" ]; then
    not_ok "sbx $cmd has a man page" "no $page"
    continue
  fi
  subs=$(help_commands "$cmd")
  if [ -n "$subs" ]; then
    same COMMANDS "$subs" "$(page_commands "$page")" "sbx-$cmd(1) COMMANDS are those of sbx $cmd --help"
    for sub in $subs; do
      subpage=$MAN_DIR/sbx-$cmd-$sub.1.scd
      if [ -f "$subpage" ]; then
        same OPTIONS "$(help_options "$cmd" "$sub")" "$(page_options "$subpage")" \
          "sbx-$cmd-$sub(1) OPTIONS are those of sbx $cmd $sub --help"
      else
        not_ok "sbx $cmd $sub has a man page" "no $subpage"
      fi
    done
  else
    same OPTIONS "$(help_options "$cmd")" "$(page_options "$page")" "sbx-$cmd(1) OPTIONS are those of sbx $cmd --help"
  fi
done

# No page for a command that is gone.
for page in "$MAN_DIR"/sbx-*.1.scd; do
  words=$(basename "$page" .1.scd | sed 's/^sbx-//; s/-/ /g')
  # shellcheck disable=SC2086 # the words of the command
  if "$SBX" $words --help >/dev/null 2>&1; then
    ok "$(basename "$page" .scd) is a command's page (sbx $words --help)"
  else
    not_ok "$(basename "$page" .scd) is a command's page" "sbx $words --help failed"
  fi
done

# sbx-profile(5) names every key the profile schema knows (profiles/schema.c's tables).
schema=$SBX_TESTS_SRCDIR/../profiles/schema.c
keys=$(grep -oE '\{ "[A-Za-z][A-Za-z0-9]*", K_' "$schema" | sed -E 's/^\{ "//; s/", K_$//' | sort -u)
undocumented=$(for k in $keys; do grep -qw -- "$k" "$MAN_DIR/sbx-profile.5.scd" || echo "$k"; done | tr '\n' ' ')
if [ -n "$keys" ] && [ -z "$undocumented" ]; then
  ok "sbx-profile(5) names every key of the profile schema ($(echo "$keys" | wc -l) keys)"
else
  not_ok "sbx-profile(5) names every key of the profile schema" "not in the page: ${undocumented:-no keys read from $schema}"
fi

# A page whose OPTIONS the test cannot read would pass for empty: every command has --log-level.
like "$(page_options "$MAN_DIR/sbx-run.1.scd")" '--log-level' "the OPTIONS of a page are read (sbx-run(1) has --log-level)"

done_testing
