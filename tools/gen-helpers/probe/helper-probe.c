/* Asks the running kernel's verifier, for every program type and helper id, whether a program of
 * that type may call the helper, and whether the call needs a GPL-compatible license.
 * Each probe is the smallest program that calls helper N: r1..r5 = 0; call N; r0 = 0; exit.
 * The verifier looks the helper up for the program type before it checks any argument, so its
 * first complaint classifies the pair:
 *   "unknown func" / "invalid func" / "cannot use helper" / "does not support" -> not available
 *   "cannot call GPL-restricted function" (non-GPL license)                    -> GPL-only
 *   anything else (an argument error, or loaded)                              -> available
 * Output (read by tools/gen-helpers): "kernel RELEASE", then per program type id
 * "prog ID HELPER-IDS..." (or "prog ID unloadable: REASON"), then "gpl_only HELPER-IDS...".
 * Build: gcc -O2 -static -o helper-probe helper-probe.c (static, so it runs in a busybox guest). */
#include <linux/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#define MAX_PROG_TYPE 40
#define MAX_HELPER 260

static char log_buf[65536];

static int load(int prog_type, int helper, const char *license)
{
    struct bpf_insn insns[9];
    int n = 0;
    for (int r = 1; r <= 5 && helper > 0; r++)
        insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = r };
    if (helper > 0)
        insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_CALL, .imm = helper };
    insns[n++] = (struct bpf_insn){ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0 };
    insns[n++] = (struct bpf_insn){ .code = BPF_JMP | BPF_EXIT };

    union bpf_attr attr;
    memset(&attr, 0, sizeof attr);
    attr.prog_type = prog_type;
    attr.insns = (unsigned long)insns;
    attr.insn_cnt = n;
    attr.license = (unsigned long)license;
    attr.log_buf = (unsigned long)log_buf;
    attr.log_size = sizeof log_buf;
    attr.log_level = 1;
    /* The attach types libbpf's own probes use where the program type needs one. */
    switch (prog_type) {
    case 18: attr.expected_attach_type = 10; break; /* cgroup_sock_addr: BPF_CGROUP_INET4_CONNECT */
    case 25: attr.expected_attach_type = 21; break; /* cgroup_sockopt: BPF_CGROUP_GETSOCKOPT */
    case 30: attr.expected_attach_type = 36; break; /* sk_lookup: BPF_SK_LOOKUP */
    case 31: attr.prog_flags = 1U << 4; break;      /* syscall: BPF_F_SLEEPABLE */
    case 32: attr.expected_attach_type = 45; break; /* netfilter: BPF_NETFILTER */
    }
    log_buf[0] = 0;
    int fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof attr);
    if (fd >= 0) { close(fd); return 0; }
    return -errno;
}

static int unavailable(void)
{
    return strstr(log_buf, "unknown func") || strstr(log_buf, "invalid func")
        || strstr(log_buf, "cannot use helper") || strstr(log_buf, "does not support helper");
}

int main(void)
{
    static unsigned char gpl_only[MAX_HELPER + 1];
    struct utsname u;
    uname(&u);
    printf("kernel %s\n", u.release);
    for (int type = 1; type <= MAX_PROG_TYPE; type++) {
        int err = load(type, 0, "GPL");
        if (err) {
            char *nl = strchr(log_buf, '\n');
            if (nl) *nl = 0;
            printf("prog %d unloadable: errno %d %s\n", type, -err, log_buf);
            continue;
        }
        printf("prog %d", type);
        for (int helper = 1; helper <= MAX_HELPER; helper++) {
            load(type, helper, "GPL");
            if (unavailable()) continue;
            printf(" %d", helper);
            load(type, helper, "Proprietary");
            if (strstr(log_buf, "cannot call GPL-restricted function")) gpl_only[helper] = 1;
        }
        printf("\n");
        fflush(stdout);
    }
    printf("gpl_only");
    for (int helper = 1; helper <= MAX_HELPER; helper++)
        if (gpl_only[helper]) printf(" %d", helper);
    printf("\n");
    return 0;
}
