#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# spdx-add.sh [TOP]: gives every source file of the tree (default: this script's checkout)
# its SPDX license line, where it has none yet:
#   .c, .h                       /* SPDX-License-Identifier: LGPL-2.1-or-later */ as line 1
#   shell, meson, Python,        # SPDX-License-Identifier: LGPL-2.1-or-later as line 1, or
#   AppArmor, systemd units      after the shebang (and "# shellcheck" lines right below it)
# JSON, Markdown, XML resources and other data are left alone (tools/house-files.sh lists
# the kinds).  Idempotent: a second run changes nothing.  Prints the files it changed.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
top=$(cd "${1:-$here/..}" && pwd -P)
# shellcheck source=tools/house-files.sh
. "$here/house-files.sh"

add_line() { # FILE LINE SKIP-HEADER(0|1)
  local file=$1 line=$2 skip=$3 tmp
  tmp=$(mktemp "$file.spdx.XXXXXX")
  awk -v line="$line" -v skip="$skip" '
    BEGIN { header = skip }
    header && NR == 1 && /^#!/ { print; next }
    header && /^# shellcheck / { print; next }
    !done { print line; done = 1; header = 0 }
    { print }
    END { if (!done) print line }' "$file" >"$tmp"
  chmod --reference="$file" "$tmp"
  mv "$tmp" "$file"
}

while IFS= read -r f; do
  [ -f "$top/$f" ] && [ ! -L "$top/$f" ] || continue
  kind=$(house_kind "$top" "$f")
  case $kind in
    c|hash) ;;
    *) continue ;;
  esac
  house_has_spdx "$top" "$f" "$kind" && continue
  if [ "$kind" = c ]; then
    add_line "$top/$f" "$SBX_SPDX_C" 0
  else
    add_line "$top/$f" "$SBX_SPDX_HASH" 1
  fi
  echo "$f"
done < <(house_files "$top")
