#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# house-format.sh [TOP]: lays out every .c and .h of the tree (default: this script's
# checkout) as .clang-format says, in place.  First moves a continuation line's leading
# && or || to the end of the line above (the house style; clang-format, with no column
# limit, would otherwise join such lines), then runs clang-format -i.
# SBX_CLANG_FORMAT names the clang-format to use (default: clang-format-14, else clang-format).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd "${1:-$here/..}" && pwd -P)
# shellcheck source=tools/house-files.sh
. "$here/house-files.sh"

clang_format=${SBX_CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}
[ -n "$clang_format" ] || { echo "house-format: no clang-format (apt-get install clang-format)" >&2; exit 1; }

files=()
while IFS= read -r f; do
  [ "$(house_kind "$top" "$f")" = c ] && files+=("$top/$f")
done < <(house_files "$top")
[ ${#files[@]} -gt 0 ] || exit 0

perl -e '
  for my $file (@ARGV) {
    open my $in, "<", $file or die "$file: $!";
    my @l = <$in>;
    close $in;
    my $changed = 0;
    for my $i (1 .. $#l) {
      my ($ind, $op, $rest) = $l[$i] =~ /^([ \t]+)(&&|\|\|)[ \t]+(.*)$/s or next;
      next if $l[$i-1] =~ m{(//.*|\*/[ \t]*|^\s*|\\)\n?$};
      $l[$i-1] =~ s/[ \t]*\n$/ $op\n/;
      $l[$i] = $ind . $rest;
      $changed = 1;
    }
    next unless $changed;
    open my $out, ">", $file or die "$file: $!";
    print $out @l;
    close $out or die "$file: $!";
  }' "${files[@]}"
(cd "$top" && "$clang_format" -i --style=file "${files[@]}")
