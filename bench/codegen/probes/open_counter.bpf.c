// Counts openat() calls per process in a hash map, optionally for one process (.rodata), with an
// atomic increment; misses (map full) in .bss. The C# side is samples/OpenCounter/OpenCounter.Probe.cs.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct sys_enter_openat_args {
    unsigned short common_type;
    unsigned char common_flags;
    unsigned char common_preempt_count;
    int common_pid;
    int syscall_nr;
    long dfd;
    unsigned long filename;
    long flags;
    long mode;
};

struct {
    __uint(type, BPF_MAP_TYPE_HASH);
    __uint(max_entries, 10240);
    __type(key, __u32);
    __type(value, __u64);
} Counts SEC(".maps");

const volatile __u32 TargetPid = 0;
__u64 Misses = 0;

SEC("tracepoint/syscalls/sys_enter_openat")
int OnOpenat(struct sys_enter_openat_args *args)
{
    __u32 pid = (__u32)(bpf_get_current_pid_tgid() >> 32);
    if (TargetPid != 0 && pid != TargetPid) return 0;
    __u64 *count = bpf_map_lookup_elem(&Counts, &pid);
    if (!count) {
        __u64 one = 1;
        if (bpf_map_update_elem(&Counts, &pid, &one, BPF_NOEXIST) != 0) __sync_fetch_and_add(&Misses, 1);
    } else {
        __sync_fetch_and_add(count, 1);
    }
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
