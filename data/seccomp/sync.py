#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# sync.py: writes the default seccomp filter's derived copies from data/profiles/default.json.
#
#   python3 data/seccomp/sync.py      (from the top of the tree)
#
# - The personality rules of the default filter are generated here (PERSONALITY_RULES): a
#   default-allow filter cannot say "allow these values, refuse the rest", so the rest is
#   covered by SCMP_CMP_MASKED_EQ rules of "bit B set and bit C clear" (see README.md).
# - data/seccomp/default.json: the same filter, one rule a line (the documented copy).
# - data/profiles/browser.json: the same filter without its nested-user-namespace rules
#   (unshare and clone with CLONE_NEWUSER, setns), which the browser's own sandbox needs.
import json
import sys

DEFAULT = "data/profiles/default.json"
COPY = "data/seccomp/default.json"
BROWSER = "data/profiles/browser.json"
BROWSER_DROPS = (["unshare"], ["clone"], ["setns"])

# What Docker's and Podman's default filters allow (containers-common's seccomp.json).
ALLOWED = {0x0: "PER_LINUX", 0x8: "PER_LINUX32", 0x20000: "UNAME26",
           0x20008: "PER_LINUX32|UNAME26", 0xffffffff: "the query"}
KEPT_BITS = (3, 17)   # PER_LINUX32's bit, UNAME26
FLAG_NAMES = {0x40000: "ADDR_NO_RANDOMIZE", 0x80000: "FDPIC_FUNCPTRS", 0x100000: "MMAP_PAGE_ZERO",
              0x200000: "ADDR_COMPAT_LAYOUT", 0x400000: "READ_IMPLIES_EXEC",
              0x800000: "ADDR_LIMIT_32BIT", 0x1000000: "SHORT_INODE", 0x2000000: "WHOLE_SECONDS",
              0x4000000: "STICKY_TIMEOUTS", 0x8000000: "ADDR_LIMIT_3GB"}


def bit_name(bit):
    if bit < 0x100:
        return "persona bit 0x%x" % bit
    return "%s (0x%x)" % (FLAG_NAMES[bit], bit) if bit in FLAG_NAMES else "unused bit 0x%x" % bit


def personality_rules():
    """Rules refusing every low 32-bit value but ALLOWED: a cycle over the other 30 bits
    (B set, the next one clear), and the first of them set with a kept bit clear."""
    others = [b for b in range(32) if b not in KEPT_BITS]
    pairs = [(b, others[(i + 1) % len(others)]) for i, b in enumerate(others)]
    pairs += [(others[0], k) for k in KEPT_BITS]
    rules = []
    for b, c in pairs:
        comment = ("personality: refused when %s is set and bit 0x%x clear; with the other "
                   "personality rules, every value but %s" %
                   (bit_name(1 << b), 1 << c,
                    ", ".join("%s 0x%x" % (n, v) for v, n in ALLOWED.items())))
        rules.append({"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1,
                      "args": [{"index": 0, "value": (1 << b) | (1 << c), "valueTwo": 1 << b,
                                "op": "SCMP_CMP_MASKED_EQ"}],
                      "comment": comment})
    return rules


def with_personality(rules):
    at = next(i for i, r in enumerate(rules) if r["names"] == ["personality"])
    rest = [r for r in rules if r["names"] != ["personality"]]
    return rest[:at] + personality_rules() + rest[at:]


def write_pretty(path, doc):
    with open(path, "w") as f:
        f.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def write_compact(path, seccomp):
    head = ['  "%s": %s,' % (k, json.dumps(v, ensure_ascii=False))
            for k, v in seccomp.items() if k != "syscalls"]
    rules = ",\n".join("    " + json.dumps(r, ensure_ascii=False) for r in seccomp["syscalls"])
    with open(path, "w") as f:
        f.write("{\n" + "\n".join(head) + '\n  "syscalls": [\n' + rules + "\n  ]\n}\n")


def main():
    default = json.load(open(DEFAULT))
    seccomp = default["linux"]["seccomp"]
    seccomp["syscalls"] = with_personality(seccomp["syscalls"])
    write_pretty(DEFAULT, default)
    write_compact(COPY, seccomp)
    browser = json.load(open(BROWSER))
    browser["linux"]["seccomp"] = dict(seccomp, syscalls=[
        r for r in seccomp["syscalls"] if r["names"] not in BROWSER_DROPS])
    write_pretty(BROWSER, browser)
    return 0


if __name__ == "__main__":
    sys.exit(main())
