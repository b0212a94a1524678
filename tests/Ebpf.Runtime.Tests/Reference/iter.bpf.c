// A task iterator writing each task's sequence number, and a tracepoint for auto-attach.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct seq_file;
struct task_struct;
struct bpf_iter_meta { struct seq_file *seq; __u64 session_id; __u64 seq_num; };
struct bpf_iter__task { struct bpf_iter_meta *meta; struct task_struct *task; };

SEC("iter/task")
int dump_tasks(struct bpf_iter__task *ctx)
{
    if (!ctx->task) return 0;
    __u64 n = ctx->meta->seq_num;
    bpf_seq_write(ctx->meta->seq, &n, sizeof(n));
    return 0;
}

__u64 calls = 0;

SEC("tracepoint/syscalls/sys_enter_getppid")
int count_getppid(void *ctx) { __sync_fetch_and_add(&calls, 1); return 0; }

SEC("xdp")
int pass(struct xdp_md *ctx) { return XDP_PASS; }

char LICENSE[] SEC("license") = "GPL";
