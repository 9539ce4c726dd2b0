/* defaults.c: the built-in masked paths, read-only paths and capabilities. */
#include "defaults.h"

/* As the OCI runtime spec's default config and Podman mask them. */
static const char * const masked_paths[] = {
  "/proc/acpi", "/proc/asound", "/proc/interrupts", "/proc/kcore", "/proc/keys",
  "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
  "/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware", "/sys/fs/selinux",
  NULL,
};

static const char * const readonly_paths[] = {
  "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* Podman's default set (containers.conf default_capabilities). */
static const char * const capabilities[] = {
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
  "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID",
  "CAP_SYS_CHROOT", NULL,
};

const char * const *
sbx_default_masked_paths (void)
{
  return masked_paths;
}

const char * const *
sbx_default_readonly_paths (void)
{
  return readonly_paths;
}

const char * const *
sbx_default_capabilities (void)
{
  return capabilities;
}
