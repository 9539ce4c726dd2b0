#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# run-in-guest.sh: boots the guest image once with qemu and runs a job in it.
#
#   tests/vm/run-in-guest.sh IMAGE_DIR JOB_DIR [TIMEOUT]
#
# IMAGE_DIR is what build-image.sh printed.  JOB_DIR is shared with the guest by 9p (mount
# tag `job`, mounted on /run/job); the guest's sbx-vm-job.service waits for
# `systemctl is-system-running --wait`, runs JOB_DIR/job.sh as root there (cwd /run/job,
# stdin /dev/null), writes its output to JOB_DIR/output and its exit status to
# JOB_DIR/exit-code, and powers off.  The disk is a snapshot: nothing the guest writes to
# it outlives the boot.  No network.  TIMEOUT (seconds, default 600) bounds the whole boot:
# then qemu is killed.
#
# Prints the job's output and exits with the job's exit status; or, when the job never
# finished, prints why and the end of the serial console log and exits
#   200  the guest never started the job (boot failure, qemu failure)
#   201  the job started but did not finish in time (qemu killed)
# The serial console log is kept in JOB_DIR/console.log.
#
# Acceleration: KVM only when the CPU shows vmx/svm, /dev/kvm is usable and the paravirtual
# kvm_pvm is not loaded (a stock Debian kernel hangs under it); else TCG.  SBX_VM_ACCEL=kvm|tcg
# forces one.  SBX_VM_MEM (MiB, default 512) and SBX_VM_SMP (default 2) size the guest.
set -uo pipefail

say() { printf 'run-in-guest: %s\n' "$*" >&2; }
[ $# -ge 2 ] || { echo "usage: $0 IMAGE_DIR JOB_DIR [TIMEOUT]" >&2; exit 2; }
img=$(cd "$1" && pwd -P) || exit 2
job=$(cd "$2" && pwd -P) || exit 2
timeout_s=${3:-600}
[ -x "$job/job.sh" ] || { say "$job/job.sh is not an executable file"; exit 2; }
qemu=$(command -v qemu-system-x86_64) || { say "qemu-system-x86_64 not found (apt-get install qemu-system-x86)"; exit 2; }

accel=${SBX_VM_ACCEL:-}
if [ -z "$accel" ]; then
  accel=tcg
  if grep -Eqw 'vmx|svm' /proc/cpuinfo && [ ! -d /sys/module/kvm_pvm ] &&
     [ -r /dev/kvm ] && [ -w /dev/kvm ]; then
    accel=kvm
  fi
fi
case $accel in
  kvm) accel_args=(-accel kvm -cpu host) ;;
  tcg) accel_args=(-accel tcg,thread=multi,tb-size=128 -cpu max) ;;
  *) say "SBX_VM_ACCEL must be kvm or tcg"; exit 2 ;;
esac

rm -f "$job/output" "$job/exit-code" "$job/exit-code.tmp" "$job/started"
console=$job/console.log
: > "$console"

cmdline="root=/dev/vda rw console=ttyS0 panic=-1 apparmor=1 security=apparmor"
cmdline+=" systemd.unified_cgroup_hierarchy=1 systemd.show_status=auto loglevel=4"
cmdline+=" mitigations=off tsc=reliable"

say "booting $(basename "$img") ($accel, ${SBX_VM_MEM:-512} MiB, ${SBX_VM_SMP:-2} cpus, at most ${timeout_s} s)"
start=$EPOCHREALTIME
# setsid + timeout: qemu never outlives this script, whatever kills it.
timeout -k 5 "$timeout_s" "$qemu" \
  -nodefaults -no-user-config -nographic -no-reboot \
  -machine q35 "${accel_args[@]}" -smp "${SBX_VM_SMP:-2}" -m "${SBX_VM_MEM:-512}" \
  -kernel "$img/vmlinuz" -initrd "$img/initrd.img" -append "$cmdline" \
  -drive "file=$img/rootfs.ext4,if=virtio,format=raw,snapshot=on,cache=unsafe" \
  -fsdev "local,id=job,path=$job,security_model=none" \
  -device virtio-9p-pci,fsdev=job,mount_tag=job \
  -device virtio-rng-pci \
  -nic none -serial "file:$console" -monitor none -parallel none \
  </dev/null >"$job/qemu.log" 2>&1 &
qpid=$!
# Whatever stops this script stops qemu (and the timeout in front of it).
trap 'kill -TERM "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null; exit 130' INT TERM HUP
wait "$qpid"
qrc=$?
trap - INT TERM HUP
elapsed=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')

if [ -f "$job/exit-code" ]; then
  rc=$(cat "$job/exit-code")
  cat "$job/output" 2>/dev/null
  if [ -f "$job/started" ]; then
    boot=$(grep -o 'sbx-vm-job: system [a-z-]* after [0-9.]* s' "$console" | tail -n 1)
    say "guest: ${boot#sbx-vm-job: }; job exit status $rc; qemu ran ${elapsed} s"
  fi
  case $rc in ''|*[!0-9]*) say "bad exit-code file: '$rc'"; exit 200 ;; esac
  exit "$rc"
fi

if [ -f "$job/started" ]; then
  cat "$job/output" 2>/dev/null
  say "the job started but did not finish (qemu exit status $qrc after ${elapsed} s; 124 = killed at the ${timeout_s} s timeout)"
  code=201
else
  say "the guest never ran the job (qemu exit status $qrc after ${elapsed} s; 124 = killed at the ${timeout_s} s timeout)"
  code=200
fi
say "qemu: $(tail -n 5 "$job/qemu.log" 2>/dev/null)"
say "last lines of the serial console ($console):"
tail -n 40 "$console" | sed 's/\r$//; s/^/  | /' >&2
exit "$code"
