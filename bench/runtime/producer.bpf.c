// The benchmark's producers: a syscall program emitting `count` 16-byte records into a 16 MiB ring buffer per
// BPF_PROG_TEST_RUN call (BPF_RB_NO_WAKEUP on all but the last when asked), a raw_tp program (test-run too; syscall
// programs may not use perf event arrays) emitting into a perf buffer, and a hash map for the map-op rounds.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event { __u32 seq; __u32 pid; __u64 payload; };
struct args { __u32 count; __u32 no_wakeup; };

struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 16 << 20); } rb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY); __uint(key_size, 4); __uint(value_size, 4); } pb SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 65536); __type(key, __u32); __type(value, __u64); } table SEC(".maps");

SEC("syscall")
int emit(struct args *a)
{
    __u32 count = a->count;
    for (__u32 i = 0; i < 4096 && i < count; i++) {
        struct event e = { .seq = i, .pid = 1, .payload = i };
        bpf_ringbuf_output(&rb, &e, sizeof(e), a->no_wakeup && i + 1 < count ? BPF_RB_NO_WAKEUP : 0);
    }
    return 0;
}

SEC("raw_tp/sys_enter")
int emit_perf(struct bpf_raw_tracepoint_args *ctx)
{
    __u32 count = ctx->args[0];
    for (__u32 i = 0; i < 4096 && i < count; i++) {
        struct event e = { .seq = i, .pid = 1, .payload = i };
        bpf_perf_event_output(ctx, &pb, BPF_F_CURRENT_CPU, &e, sizeof(e));
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
