// CO-RE against the kernel's own task_struct (vmlinux.h generated from the running kernel's BTF at test time):
// a pointer chase, a bitfield, fields only newer kernels have (guarded by existence checks), an enum value and
// type relocations. Relocated by our runtime against the BTF of 6.18, 6.12 and 6.1 and compared with libbpf.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

const volatile int target_tgid = 0;
int seen_ppid = -1;
int seen_tgid = -1;
unsigned long long seen_in_iowait = 99;
int has_mm_cid = -1;
int seen_mm_cid = -2;
int has_rseq_len = -1;
int task_size = 0;
int has_rseq_type = -1;
long long get_current_task_id = -1;
unsigned long long task_type_id = 0;
int has_cgrp_storage_get = -1;
int seen_ppid_in_subprogram = -1;

/* A BPF-to-BPF callee with its own CO-RE relocations (in .text, moved when linked into the program). */
static __noinline int parent_tgid(struct task_struct *task)
{
    return BPF_CORE_READ(task, real_parent, tgid);
}

SEC("tracepoint/syscalls/sys_enter_getppid")
int read_task(void *ctx)
{
    /* The filter does not depend on relocated offsets, so the program also runs relocated for another kernel. */
    if ((bpf_get_current_pid_tgid() >> 32) != target_tgid)
        return 0;
    struct task_struct *task = (void *)bpf_get_current_task();
    seen_tgid = BPF_CORE_READ(task, tgid);
    seen_ppid = BPF_CORE_READ(task, real_parent, tgid);
    seen_ppid_in_subprogram = parent_tgid(task);
    seen_in_iowait = BPF_CORE_READ_BITFIELD_PROBED(task, in_iowait);
    has_mm_cid = bpf_core_field_exists(task->mm_cid);
    if (bpf_core_field_exists(task->mm_cid))
        seen_mm_cid = BPF_CORE_READ(task, mm_cid);
    else
        seen_mm_cid = -3;
    has_rseq_len = bpf_core_field_exists(task->rseq_len);
    task_size = bpf_core_type_size(struct task_struct);
    has_rseq_type = bpf_core_type_exists(struct rseq);
    get_current_task_id = bpf_core_enum_value(enum bpf_func_id, BPF_FUNC_get_current_task);
    task_type_id = bpf_core_type_id_kernel(struct task_struct);
    has_cgrp_storage_get = bpf_core_enum_value_exists(enum bpf_func_id, BPF_FUNC_cgrp_storage_get);   /* 6.2+ */
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
