// CO-RE reference object: a local task_struct with made-up offsets; only relocation makes the reads right.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct {
    int pid;
    int tgid;
    struct task_struct *real_parent;
    int field_this_kernel_lacks;
} __attribute__((preserve_access_index));

const volatile int target_tgid = 0;
int seen_tgid = 0;
int seen_parent_tgid = 0;
int has_missing_field = -1;
int pid_size = 0;

SEC("raw_tp/sys_enter")
int core_probe(struct bpf_raw_tracepoint_args *ctx)
{
    if (ctx->args[1] != 110)   /* __NR_getppid on x86-64 */
        return 0;
    struct task_struct *task = (void *)bpf_get_current_task();
    int tgid = BPF_CORE_READ(task, tgid);
    if (tgid != target_tgid)
        return 0;
    seen_tgid = tgid;
    seen_parent_tgid = BPF_CORE_READ(task, real_parent, tgid);
    has_missing_field = bpf_core_field_exists(task->field_this_kernel_lacks);
    pid_size = bpf_core_field_size(task->pid);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
