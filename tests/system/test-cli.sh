#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-cli.sh: the command line: --help, usage errors, unknown images and commands, exit 125
# and the one-line "sbx: ..." error messages.  Needs no fixture (uses the embedded default image).
set -u
. "$(dirname "$0")/lib.sh"

run_sbx --help
rc_is 0 "sbx --help exits 0"
like "$OUT" 'run' "sbx --help on stdout mentions the run command"
like "$OUT" 'image' "sbx --help on stdout mentions the image command"
is "$ERR" "" "sbx --help writes nothing on stderr"

run_sbx run --help
rc_is 0 "sbx run --help exits 0"
like "$OUT" 'userns' "sbx run --help mentions --userns"

run_sbx image --help
rc_is 0 "sbx image --help exits 0"
like "$OUT" 'import' "sbx image --help mentions import"

run_sbx
rc_is 125 "sbx without a command exits 125"
like "$ERR" '[Uu]sage' "sbx without a command prints its usage on stderr"
is "$OUT" "" "sbx without a command prints nothing on stdout"

run_sbx --no-such-option
check_sbx_error "sbx --no-such-option" 'no-such-option'

run_sbx frobnicate
check_sbx_error "sbx frobnicate (unknown command)" 'frobnicate'

run_sbx run
check_sbx_error "sbx run without an image"

run_sbx run --no-such-option default true
check_sbx_error "sbx run --no-such-option" 'no-such-option'

run_sbx run --userns=bogus default true
check_sbx_error "sbx run --userns=bogus" 'bogus'

before=$(ls -A "$STORE/layers" 2>/dev/null)
run_sbx run nope true
check_sbx_error "sbx run of an unknown image" "'nope'"
is "$(ls -A "$STORE/layers" 2>/dev/null)" "$before" "sbx run of an unknown image creates no layer"

run_sbx run 'Bad/../Name' true
check_sbx_error "sbx run of an invalid image name"

run_sbx image
check_sbx_error "sbx image without a subcommand"

run_sbx image frobnicate
check_sbx_error "sbx image frobnicate"

run_sbx image import
check_sbx_error "sbx image import without a source"

run_sbx image import "bogus-transport:$W"
check_sbx_error "sbx image import with an unknown transport" 'bogus-transport'

run_sbx image import "oci:$W/does-not-exist" x
check_sbx_error "sbx image import of a missing directory" 'does-not-exist'

run_sbx image import "docker-archive:$W/does-not-exist.tar" x
check_sbx_error "sbx image import of a missing docker-archive" 'does-not-exist'

printf 'not a tar file\n' > "$W/garbage.tar"
run_sbx image import "oci-archive:$W/garbage.tar" x
check_sbx_error "sbx image import of a garbage oci-archive"

run_sbx image rm nope
check_sbx_error "sbx image rm of an unknown image" "'nope'"

run_sbx image rm
check_sbx_error "sbx image rm without a name"

run_sbx image ls --no-such-option
check_sbx_error "sbx image ls --no-such-option" 'no-such-option'

# The error paths above must have left an empty store.
run_sbx image ls -q
rc_is 0 "sbx image ls -q on an empty store exits 0"
is "$OUT" "" "the store holds no image after the failed commands"
is "$(store_layer_dirs)" "" "the store holds no layer after the failed commands"

# An option after the image belongs to the command, not to sbx.
run_sbx run default echo --no-such-option
rc_is 0 "options after the image are the command's"
is "$OUT" "--no-such-option" "the command receives options after the image verbatim"

# --- control characters from outside never reach the terminal raw ------------------------------
# Names, values and answers from outside with ESC, BEL and CR: every line sbx prints shows
# them escaped (\e, \a, \r).
CTL=$'\e[31m\a\rX'
no_raw_ctl() { # DESC
  check "$1: no raw ESC, BEL or CR on stdout or stderr" \
    sh -c '! printf "%s%s" "$1" "$2" | LC_ALL=C grep -q "$(printf "[\033\007\r]")"' _ "$OUT" "$ERR"
}
run_sbx rm "a${CTL}"
rc_is 125 "sbx rm of a name with ESC, BEL, CR: exit 125"
no_raw_ctl "sbx rm of a name with ESC, BEL, CR"
run_sbx image rm "a${CTL}"
no_raw_ctl "sbx image rm of a name with ESC, BEL, CR"
run_sbx image import "oci:$TEST_TMP/none${CTL}:latest" "n${CTL}"
check_sbx_error "sbx image import of a path and a name with ESC, BEL, CR"
no_raw_ctl "sbx image import of a path and a name with ESC, BEL, CR"
run_sbx run --hostname "h${CTL}" default true
no_raw_ctl "sbx run --hostname with ESC, BEL, CR"
mkdir -p "$XDG_CONFIG_HOME/sbx/profiles"
printf '{"sbx":{"description":"red \\u001b[31m bell \\u0007 cr \\r end","include":["base"]}}\n' \
  > "$XDG_CONFIG_HOME/sbx/profiles/ctl.json"
run_sbx profile ls
like "$OUT" 'ctl .*red \\e\[31m bell \\a cr \\r end' "sbx profile ls shows the description's ESC, BEL, CR escaped"
no_raw_ctl "sbx profile ls with a description holding ESC, BEL, CR"
run_sbx explain ctl
no_raw_ctl "sbx explain of a profile whose description holds ESC, BEL, CR"
rm -f "$XDG_CONFIG_HOME/sbx/profiles/ctl.json"

done_testing
