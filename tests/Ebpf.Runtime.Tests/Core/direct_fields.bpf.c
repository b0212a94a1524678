// Direct CO-RE field loads (a BTF-typed tracepoint dereferences kernel pointers itself): the relocated instructions
// are the loads (LDX offsets), not address arithmetic. Only relocated and compared with libbpf; not loaded here
// (tracing programs need attach rights this bench does not give).
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

int seen = 0;

SEC("tp_btf/sched_switch")
int BPF_PROG(on_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
    seen = prev->pid + next->tgid + prev->real_parent->tgid + prev->prio;
    if (bpf_core_field_exists(prev->mm_cid))
        seen += prev->mm_cid;
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
