#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# test-desktop-file.sh: menu launchers of sandboxed apps: `sbx desktop install|ls|rm` and
# `sbx rm NAME`.  A launcher written from a real Debian app's desktop file (vim's, image
# "host") passes desktop-file-validate and has the sandboxed Name, Exec, Icon; one written
# from an image's layers (an image built here: a lower layer with the app, an upper one with
# a whiteout, hostile desktop files and an icon symlink aimed out of the layer) finds the app
# by its Exec and honours the whiteout; hostile desktop files are refused with one line
# (exit 125) or give an Exec that GLib's own launcher (`gio launch`) runs with exactly the
# original arguments: SBX_DESKTOP_SBX_PATH points Exec at a recorder of its argv.
set -u
. "$(dirname "$0")/lib.sh"

unset SBX_PROFILE_PATH
export SBX_DATADIR=$TEST_TMP/datadir
PROFILES=$XDG_CONFIG_HOME/sbx/profiles
APPS=$XDG_DATA_HOME/applications
ICONS=$XDG_DATA_HOME/icons/hicolor
mkdir -p "$PROFILES" "$SBX_DATADIR/profiles"

profile() { # NAME JSON-OF-THE-SBX-OBJECT [ARGS-JSON]
  printf '{ "sbx": %s%s }\n' "$2" "${3:+, \"process\": { \"args\": $3 \}}" > "$PROFILES/$1.json"
}

# The value of KEY in [Desktop Entry] of FILE.
key() { sed -n '/^\[Desktop Entry\]/,/^\[/{s/^'"$1"'=//p}' "$2"; }

validates() { # DESC FILE
  if ! command -v desktop-file-validate >/dev/null; then
    skip "$1" "desktop-file-validate not installed (desktop-file-utils)"
    return
  fi
  local out
  if out=$(desktop-file-validate "$2" 2>&1); then ok "$1"; else not_ok "$1" "$out" "$(cat -v "$2")"; fi
}

RECORDER=$W/recorder
cat > "$RECORDER" <<EOF
#!/bin/sh
printf '%s\n' "\$@" > "$W/argv"
EOF
chmod +x "$RECORDER"

# gio launch LAUNCHER FILE...: the recorder's argv (one a line) once it ran.
launch_argv() {
  rm -f "$W/argv"
  timeout 20 gio launch "$@" >/dev/null 2>&1 || return 1
  for _ in $(seq 50); do [ -s "$W/argv" ] && break; sleep 0.1; done
  cat "$W/argv"
}

# --- the command family -----------------------------------------------------------------------
run_sbx desktop --help
like "$OUT" "^  install " "desktop --help lists install"
like "$OUT" "^  rm " "desktop --help lists rm"
run_sbx desktop ls
is "$OUT" "$(printf '%-32s %-20s %-20s %s' LAUNCHER PROFILE NAME IMAGE)" "desktop ls: no launchers, a header"
run_sbx desktop install
check_sbx_error "desktop install without PROFILE" "missing PROFILE"
run_sbx desktop rm nothing-here
check_sbx_error "desktop rm of a name without launcher" "no launcher for 'nothing-here'"
profile noimage '{}' '["vim"]'
run_sbx desktop install noimage
check_sbx_error "desktop install of a profile without image" "names no image"
profile badentry '{ "image": "host", "desktopEntry": "../evil.desktop" }'
run_sbx desktop install badentry
check_sbx_error "sbx.desktopEntry must be a plain .desktop file name" "desktopEntry.*plain file name|desktopEntry.*\.desktop"

# --- a real Debian app on the host: vim ------------------------------------------------------
if [ -f /usr/share/applications/vim.desktop ]; then
  profile vim '{ "include": ["default"], "image": "host" }' '["vim"]'
  run_sbx desktop install vim
  rc_is 0 "desktop install vim (image host)"
  L=$APPS/sbx-vim.desktop
  is "$OUT" "$L" "desktop install prints the launcher's path"
  validates "vim's launcher passes desktop-file-validate" "$L"
  is "$(key Name "$L")" "Vim (sandboxed)" "Name has ' (sandboxed)'"
  unlike "$(grep '^Name\[' "$L" | grep -v ' (sandboxed)$')" . "every Name[xx] has ' (sandboxed)'"
  is "$(key Exec "$L")" "$SBX run --profile vim --file-forwarding host vim @@ %F @@" \
     "Exec: the running sbx, the profile, the image, vim's own arguments, %F between @@"
  is "$(key TryExec "$L")" "$SBX" "TryExec is sbx"
  is "$(key Icon "$L")" "sbx-vim" "Icon renamed sbx-vim"
  check "vim's icons exported (48x48 png, scalable svg)" \
    test -s "$ICONS/48x48/apps/sbx-vim.png" -a -s "$ICONS/scalable/apps/sbx-vim.svg"
  is "$(key MimeType "$L")" "$(key MimeType /usr/share/applications/vim.desktop)" "MimeType kept"
  is "$(key X-Sbx-Profile "$L")" "vim" "X-Sbx-Profile"
  unlike "$(cat "$L")" "DBusActivatable|^Path=" "no DBusActivatable"
  run_sbx desktop ls
  like "$OUT" "^sbx-vim\.desktop +vim +- +host$" "desktop ls shows it"
  run_sbx desktop ls --format json
  is "$(printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[0]["profile"], d[0]["name"], d[0]["image"], d[0]["launcher"])')" \
     "vim None host $L" "desktop ls --format json"
  run_sbx desktop rm vim
  rc_is 0 "desktop rm vim"
  check "the launcher and icons are gone" test ! -e "$L" -a ! -e "$ICONS/48x48/apps/sbx-vim.png" -a ! -e "$ICONS/scalable/apps/sbx-vim.svg"
else
  skip "vim's launcher" "no /usr/share/applications/vim.desktop (package vim-common)"
fi

# --- an image: the app in a lower layer, hostile files above -------------------------------------
LAYOUT=$W/dapp
printf '\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x20\0\0\0\x20\x08\x06\0\0\0' > "$W/secret.png"
python3 - "$SBX_TESTS_SRCDIR/fixtures" "$LAYOUT" "$W" <<'EOF'
import json, os, sys
sys.path.insert(0, sys.argv[1])
import fixtures
layout, work = sys.argv[2], sys.argv[3]
png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x20\0\0\0\x20\x08\x06\0\0\0" + b"\0" * 64
app = "[Desktop Entry]\nType=Application\nName=My App\nName[de]=Meine App\nExec=/usr/bin/myapp --flag %F\n" \
      "Icon=myapp\nDBusActivatable=true\nCategories=Utility;\nPath=/srv\nX-Evil=1\nActions=new;\n\n" \
      "[Desktop Action new]\nName=New window\nExec=/usr/bin/myapp --new\n"
low = fixtures.Layer()
for d in ["usr", "usr/share", "usr/share/applications", "usr/share/icons", "usr/share/icons/hicolor",
          "usr/share/icons/hicolor/32x32", "usr/share/icons/hicolor/32x32/apps", "usr/share/pixmaps"]:
    low.dir(d)
low.file("usr/share/applications/myapp.desktop", app)
low.file("usr/share/applications/gone.desktop", app)
low.file("usr/share/icons/hicolor/32x32/apps/myapp.png", png)
high = fixtures.Layer()
for d in ["usr", "usr/share", "usr/share/applications", "usr/share/pixmaps"]:
    high.dir(d)
high.file("usr/share/applications/.wh.gone.desktop")
def hostile(name, data):
    high.file("usr/share/applications/" + name, data)
head = "[Desktop Entry]\nType=Application\nName=Hostile\n"
hostile("shell.desktop", head + "Exec=myapp ;rm -rf ~ $(id) `id` \"a b\" 'c d' 100%% \"x\\\\\\\\y\" %U\n")
hostile("esc.desktop", "[Desktop Entry]\nType=Application\nName=Evil\x1b]0;owned\x07\nComment=\x1b[31mred\nExec=myapp\nIcon=evil\n")
hostile("huge.desktop", head + "Exec=myapp\nComment=" + "x" * (2 * 1024 * 1024) + "\n")
hostile("badutf8.desktop", (head + "Exec=myapp\nComment=").encode() + b"\xff\xfe\n")
hostile("nogroup.desktop", "[Desktop Entry Evil]\nType=Application\nName=x\nExec=myapp\n")
hostile("notkeyfile.desktop", "Type=Application\nExec=myapp\n")
hostile("inside.desktop", head + "Exec=myapp --file=%f\n")
hostile("quote.desktop", head + "Exec=myapp \"unbalanced\n")
hostile("escape.desktop", head + "Exec=myapp\nIcon=escape\n")
high.symlink("usr/share/pixmaps/escape.png", os.path.join(work, "secret.png"))
cfg = os.path.join(work, "dapp-config.json")
with open(cfg, "w") as f:
    json.dump({"config": {"Cmd": ["/usr/bin/myapp"]}}, f)
paths = []
for i, layer in enumerate([low, high]):
    p = os.path.join(work, "layer%d.tar" % i)
    with open(p, "wb") as f:
        f.write(layer.bytes())
    paths.append(p)
fixtures.make_layout(layout, cfg, paths)
EOF
run_sbx image import "oci:$LAYOUT:latest" dapp
rc_is 0 "import the two-layer app image"

profile dapp '{ "image": "dapp" }' '["myapp"]'
run_sbx desktop install dapp
rc_is 0 "desktop install dapp: found by its Exec program in the lower layer"
L=$APPS/sbx-dapp.desktop
validates "the image app's launcher passes desktop-file-validate" "$L"
is "$(key Name "$L")" "My App (sandboxed)" "Name"
is "$(key 'Name\[de\]' "$L")" "Meine App (sandboxed)" "Name[de]"
is "$(key Exec "$L")" "$SBX run --profile dapp --file-forwarding dapp /usr/bin/myapp --flag @@ %F @@" "Exec"
unlike "$(cat "$L")" "DBusActivatable|^Path=|X-Evil" "DBusActivatable, Path and foreign X- keys dropped"
is "$(sed -n '/^\[Desktop Action new\]/,$p' "$L" | sed -n 's/^Exec=//p')" "$SBX run --profile dapp dapp /usr/bin/myapp --new" \
   "the action's Exec is rewritten too"
check "the icon is taken from the image's layer (32x32)" test -s "$ICONS/32x32/apps/sbx-dapp.png"

SBX_DESKTOP_SBX_PATH=$RECORDER run_sbx desktop install --name dapp-rec dapp
rc_is 0 "desktop install --name: Exec's program from SBX_DESKTOP_SBX_PATH"
mkdir -p "$W/x"
got=$(launch_argv "$APPS/sbx-dapp-rec.desktop" "$W/x/a file.txt" "$W/x/b;\$(id)")
is "$got" "$(printf '%s\n' run --profile dapp --name dapp-rec --file-forwarding dapp /usr/bin/myapp --flag @@ \
  "$W/x/a file.txt" "$W/x/b;\$(id)" @@)" "gio launch runs the Exec: files between @@ one argument each, no shell"
is "$(key X-Sbx-Name "$APPS/sbx-dapp-rec.desktop")" "dapp-rec" "X-Sbx-Name"

# The whiteout in the upper layer hides gone.desktop.
profile gone '{ "image": "dapp", "desktopEntry": "gone.desktop" }'
run_sbx desktop install gone
check_sbx_error "a desktop file a whiteout removed is not found" "gone\.desktop: not in"

# Hostile desktop files: refused with one line, nothing written ...
for h in huge:'larger than' badutf8:'not UTF-8' nogroup:'no \[Desktop Entry\]' inside:'field code inside' \
         quote:'cannot be parsed' notkeyfile:'not a desktop file'; do
  name=${h%%:*}
  profile "h-$name" "{ \"image\": \"dapp\", \"desktopEntry\": \"$name.desktop\" }"
  run_sbx desktop install "h-$name"
  check_sbx_error "hostile $name.desktop refused" "$name\.desktop.*${h#*:}"
  check "hostile $name.desktop: no launcher written" test ! -e "$APPS/sbx-h-$name.desktop"
done

# ... or launched with exactly its own arguments.
profile h-shell '{ "image": "dapp", "desktopEntry": "shell.desktop" }'
SBX_DESKTOP_SBX_PATH=$RECORDER run_sbx desktop install h-shell
rc_is 0 "shell-looking Exec: installed"
validates "shell-looking Exec: the launcher passes desktop-file-validate" "$APPS/sbx-h-shell.desktop"
got=$(launch_argv "$APPS/sbx-h-shell.desktop" "https://example.org/?a=1&b=2")
is "$got" "$(printf '%s\n' run --profile h-shell --file-forwarding dapp myapp ';rm' -rf '~' '$(id)' '`id`' 'a b' 'c d' \
  '100%' 'x\y' @@u 'https://example.org/?a=1&b=2' @@)" "shell-looking Exec: gio launch passes the original arguments, no shell"

profile h-esc '{ "image": "dapp", "desktopEntry": "esc.desktop" }'
run_sbx desktop install h-esc
rc_is 0 "Name and Comment with ESC: installed"
validates "ESC: the launcher passes desktop-file-validate" "$APPS/sbx-h-esc.desktop"
is "$(tr -d '\001-\010\013-\037\177' < "$APPS/sbx-h-esc.desktop" | wc -c)" "$(wc -c < "$APPS/sbx-h-esc.desktop")" \
   "ESC: no control character in the launcher"
is "$(key Name "$APPS/sbx-h-esc.desktop")" "h-esc (sandboxed)" "ESC: the Name falls back to the launcher's"
is "$(key Comment "$APPS/sbx-h-esc.desktop")" "" "ESC: the Comment is dropped"

profile h-escape '{ "image": "dapp", "desktopEntry": "escape.desktop" }'
run_sbx desktop install h-escape
rc_is 0 "icon symlinked out of the layer: installed"
check "icon symlinked out of the layer: not exported" bash -c "! ls '$ICONS'/*/apps/sbx-h-escape.* 2>/dev/null | grep -q ."
is "$(key Icon "$APPS/sbx-h-escape.desktop")" "" "icon symlinked out of the layer: no Icon"

# --- removal --------------------------------------------------------------------------------
run_sbx desktop rm dapp
rc_is 0 "desktop rm dapp (by profile: both launchers)"
check "dapp's launchers and icon are gone" test ! -e "$L" -a ! -e "$APPS/sbx-dapp-rec.desktop" -a ! -e "$ICONS/32x32/apps/sbx-dapp.png"
run_sbx desktop rm dapp
check_sbx_error "desktop rm dapp again" "no launcher for 'dapp'"

profile minimal '{ "image": "dapp" }' '["/usr/bin/other", "--x"]'
run_sbx desktop install --name later minimal
rc_is 0 "no desktop file runs the program: a minimal launcher"
like "$ERR" "minimal launcher" "minimal: says so"
validates "minimal launcher passes desktop-file-validate" "$APPS/sbx-later.desktop"
is "$(key Exec "$APPS/sbx-later.desktop")" "$SBX run --profile minimal --name later --file-forwarding dapp /usr/bin/other --x @@ %F @@" \
   "minimal: Exec from the profile's process.args"
run_sbx rm later
rc_is 0 "sbx rm NAME of a sandbox not made yet: removes its launcher"
check "sbx rm NAME: the launcher is gone" test ! -e "$APPS/sbx-later.desktop"

run_sbx run --name boxed default true
if [ "$RC" = 0 ]; then
  run_sbx desktop install --name boxed --image default minimal
  rc_is 0 "desktop install --name boxed for a named sandbox"
  run_sbx rm boxed
  rc_is 0 "sbx rm boxed"
  check "sbx rm NAME removes the sandbox's launcher" test ! -e "$APPS/sbx-boxed.desktop"
else
  skip "sbx rm NAME of a real sandbox" "sbx run --name failed here: $ERR"
fi

# --- end to end: gio launch of a launcher runs the real sbx; the app sees the file it was given
# (at its own path) and nothing else of that directory.
if command -v gio >/dev/null; then
  mkdir -p "$W/e2e/docs" "$W/e2e/out"
  printf 'the chosen one\n' > "$W/e2e/docs/chosen file.txt"
  printf 'a secret sibling\n' > "$W/e2e/docs/sibling.txt"
  cat > "$PROFILES/e2e.json" <<EOF2
{ "sbx": { "include": ["default"], "image": "host" },
  "process": { "args": ["/bin/sh", "-c", "cat \"\$1\" > $W/e2e/out/seen; ls -A \"\$(dirname \"\$1\")\" > $W/e2e/out/listing; echo done > $W/e2e/out/done", "sh"] },
  "mounts": [ { "destination": "$W/e2e/out", "type": "bind", "source": "$W/e2e/out", "options": ["rw"] } ] }
EOF2
  run_sbx desktop install e2e
  rc_is 0 "desktop install e2e (a minimal launcher for the host image)"
  timeout 30 gio launch "$APPS/sbx-e2e.desktop" "$W/e2e/docs/chosen file.txt" >/dev/null 2>&1
  for _ in $(seq 100); do [ -s "$W/e2e/out/done" ] && break; sleep 0.1; done
  is "$(cat "$W/e2e/out/seen" 2>/dev/null)" "the chosen one" "gio launch: the sandboxed app reads the file passed as %F"
  is "$(cat "$W/e2e/out/listing" 2>/dev/null)" "chosen file.txt" "gio launch: its directory shows that file alone, not its sibling"
  run_sbx desktop rm e2e
else
  skip "gio launch end to end" "gio is not installed (libglib2.0-bin)"
fi

done_testing
