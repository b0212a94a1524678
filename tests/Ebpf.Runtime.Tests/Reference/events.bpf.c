// Producers for the event readers: a syscall program (run with BPF_PROG_TEST_RUN) that emits a given number of
// records into a ring buffer and a perf buffer, and exec tracepoints that report the pid of every exec.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event { __u32 seq; __u32 pid; __u64 payload; };

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } pb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 1 << 16); } exec_rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } exec_pb SEC(".maps");

struct args { __u32 count; __u32 no_wakeup; };

SEC("syscall")
int emit(struct args *a)
{
    __u32 count = a->count;
    /* A bounded loop (callbacks such as bpf_loop are not read by our object reader yet). */
    for (__u32 i = 0; i < 4096 && i < count; i++) {
        struct event e = { .seq = i, .pid = 7, .payload = (__u64)i * 3 };
        bpf_ringbuf_output(&rb, &e, sizeof(e), a->no_wakeup && i + 1 < count ? BPF_RB_NO_WAKEUP : 0);
    }
    return 0;
}

/* Syscall programs are sleepable and may not use perf event arrays: the perf producer is a raw tracepoint program,
   also test-runnable, its count in args[0]. Not attached. */
SEC("raw_tp/sys_enter")
int emit_perf(struct bpf_raw_tracepoint_args *ctx)
{
    __u32 count = ctx->args[0];
    for (__u32 i = 0; i < 4096 && i < count; i++) {
        struct event e = { .seq = i, .pid = 7, .payload = (__u64)i * 3 };
        bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, &e, sizeof(e));
    }
    return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int on_exec(void *ctx)
{
    struct event e = { .seq = 0, .pid = bpf_get_current_pid_tgid() >> 32, .payload = 0xe0ec };
    bpf_ringbuf_output(&exec_rb, &e, sizeof(e), 0);
    bpf_perf_event_output(ctx, &exec_pb, BPF_F_CURRENT_CPU, &e, sizeof(e));
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
