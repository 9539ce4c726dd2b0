#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-run.sh: basic sbx run: the image's command, stdin/stdout/stderr, arguments, environment,
# working directory and user from the image config, Entrypoint+Cmd, the embedded default image.
set -u
. "$(dirname "$0")/lib.sh"

fixtures_init

# --- the embedded default image, with an empty store ------------------------------------------
run_sbx image ls -q
is "$RC:$OUT" "0:" "the store starts empty (image ls -q exits 0, prints nothing)"
run_sbx run default echo hi
rc_is 0 "sbx run default echo hi exits 0 with an empty store"
is "$OUT" "hi" "sbx run default echo hi prints hi"
run_sbx image ls -q
like "$OUT" '^default$' "the embedded image is in the store as 'default' afterwards"
run_sbx run default cat /etc/os-release
like "$OUT" 'busybox' "the default image is the embedded busybox image"
run_sbx run default
rc_is 0 "sbx run default (image Cmd: sh, stdin /dev/null) exits 0"

if need busybox; then
  setup_image busybox bb
  setup_image busybox ep ep

  # --- commands and arguments -------------------------------------------------------------------
  run_sbx run bb
  rc_is 0 "the image's Cmd runs without a command"
  is "$OUT" "hello from image" "the image's Cmd prints its greeting"

  run_sbx run ep
  is "$OUT" "ep: default-arg" "Entrypoint + Cmd run together without a command"

  run_sbx run bb printf '%s|' 'a b' '' 'c*' '$HOME' "'q'" 'x
y'
  is "$OUT" "a b||c*|\$HOME|'q'|x
y|" "arguments reach the command verbatim (spaces, empty, globs, \$, quotes, newline)"

  run_sbx run bb /bin/echo absolute
  is "$OUT" "absolute" "a command given by absolute path runs"

  # --- stdin / stdout / stderr -----------------------------------------------------------------
  run_sbx run bb cat <<< "data through stdin"
  is "$OUT" "data through stdin" "stdin passes through (echo data | sbx run img cat)"

  head -c 1048576 /dev/urandom > "$W/random.bin"
  timeout 60 "$SBX" run bb cat < "$W/random.bin" > "$W/random.out" 2>"$W/random.err"
  is "$(sha256sum < "$W/random.out")" "$(sha256sum < "$W/random.bin")" "1 MiB of binary data passes stdin -> stdout intact"

  run_sbx run bb sh -c 'echo to-out; echo to-err >&2'
  is "$OUT" "to-out" "stdout of the command is sbx's stdout"
  is "$ERR" "to-err" "stderr of the command is sbx's stderr (and sbx adds nothing)"

  run_sbx run bb sh -c 'read x || echo eof'
  is "$OUT" "eof" "stdin at end of file reads as end of file inside"

  # --- environment ------------------------------------------------------------------------------
  SBX_SECRET=host-secret-value TERM=xterm-sbxtest run_cmd "$SBX" run bb env
  env_inside=$(printf '%s\n' "$OUT" | sort)
  like "$env_inside" '^FOO=bar$' "the image's Env (FOO=bar) is set"
  like "$env_inside" '^PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin$' "PATH is the image's"
  like "$env_inside" '^TERM=xterm-sbxtest$' "TERM is passed from the caller"
  unlike "$env_inside" 'SBX_SECRET|host-secret-value' "a host variable (SBX_SECRET) is not visible inside"
  unlike "$env_inside" "^(XDG_DATA_HOME|USER|LOGNAME|SHELL|MAIL|SSH_[A-Z_]*|DBUS_SESSION_BUS_ADDRESS|LD_PRELOAD)=" \
    "no host session variable leaks in"
  # What sbx adds, as Podman does: HOME from the image's passwd when the image sets none,
  # and container=sbx (Podman: container=podman).  Nothing else.
  is "$(printf '%s\n' "$env_inside" | sed 's/=.*//' | grep -vx -e PWD -e SHLVL | tr '\n' ' ')" "FOO HOME PATH TERM container " \
    "the environment is exactly the image's Env plus TERM, HOME and container"
  like "$env_inside" '^HOME=/root$' "HOME comes from the image's passwd entry for root"
  like "$env_inside" '^container=sbx$' "container=sbx tells programs they run in a sandbox"

  env -u TERM "$SBX" run bb env > "$W/env-noterm" 2>&1
  unlike "$(cat "$W/env-noterm")" '^TERM=' "no TERM inside when the caller has none"

  # --- working directory and user ---------------------------------------------------------------
  run_sbx run bb pwd
  is "$OUT" "/srv" "the working directory is the image's WorkingDir (/srv)"
  run_sbx run bb sh -c 'id -u; id -g'
  is "$OUT" "0
0" "an image without User runs as 0:0"
  run_sbx run bb cat /srv/README
  is "$OUT" "fixture image busybox" "the image's files are there"
else
  skip "run tests on the busybox fixture" "$SKIP_REASON"
fi

if need user; then
  setup_image user user
  run_sbx run user sh -c 'id -u; id -g; pwd'
  is "$OUT" "1000
1000
/home/u" "User 1000:1000 and WorkingDir /home/u from the image config"
  run_sbx run user sh -c 'echo x > /home/u/new && stat -c %u:%g /home/u/new'
  is "$OUT" "1000:1000" "user 1000 can create files in its home, owned 1000:1000"
  run_sbx run user sh -c 'echo x > /root/denied'
  isnt "$RC" 0 "user 1000 cannot write to /root (mode 0700, owned by 0)"
else
  skip "User/WorkingDir tests" "$SKIP_REASON"
fi

done_testing
