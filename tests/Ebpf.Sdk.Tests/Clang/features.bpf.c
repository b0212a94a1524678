// A libbpf-style object with what `ebpf load` and `ebpf run` must show: BTF-defined maps (hash, per-CPU array, a log2
// histogram, ring buffer, a tail-call program array), .rodata/.data/.bss globals, two programs and a tail call between them.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct event { __u32 pid; __u32 cpu; char comm[16]; };
// Puts struct event into BTF (locals are not described): how bpf2go and libbpf-tools name ring-buffer record types.
const struct event *unused_event __attribute__((unused));

struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PERCPU_ARRAY); __uint(max_entries, 4); __type(key, __u32); __type(value, __u64); } percpu SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_RINGBUF); __uint(max_entries, 4096); } events SEC(".maps");
struct hist { __u32 slots[24]; };  // libbpf-tools' log2 histogram: slot i counts values in [2^i, 2^(i+1))
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct hist); } pids SEC(".maps");
struct { __uint(type, BPF_MAP_TYPE_PROG_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u32); } jump SEC(".maps");

const volatile __u32 target_pid = 0;
__u64 seen = 0;
__u32 last_cpu = 7;

SEC("tracepoint/syscalls/sys_enter_getpid")
int tail(void *ctx) { __sync_fetch_and_add(&seen, 1); return 0; }

SEC("tracepoint/syscalls/sys_enter_getppid")
int entry(void *ctx)
{
    __u32 pid = bpf_get_current_pid_tgid() >> 32;
    if (target_pid && pid != target_pid) return 0;
    __u64 one = 1, *n = bpf_map_lookup_elem(&counts, &pid);
    if (n) __sync_fetch_and_add(n, 1); else bpf_map_update_elem(&counts, &pid, &one, BPF_NOEXIST);
    struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
    if (e) {
        e->pid = pid;
        e->cpu = bpf_get_smp_processor_id();
        bpf_get_current_comm(e->comm, sizeof(e->comm));
        bpf_ringbuf_submit(e, 0);
    }
    __u32 zero = 0, slot = 0, v = pid;
    struct hist *h = bpf_map_lookup_elem(&pids, &zero);
    if (h) {
        for (int i = 0; i < 23 && v > 1; i++) { v >>= 1; slot++; }
        if (slot < 24) __sync_fetch_and_add(&h->slots[slot], 1);
    }
    last_cpu = bpf_get_smp_processor_id();
    bpf_tail_call(ctx, &jump, 0);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
