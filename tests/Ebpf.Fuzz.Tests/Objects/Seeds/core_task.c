// Seed for the object fuzz tests: CO-RE relocations (field offsets through preserve_access_index types, field
// existence, type size) read from a tp_btf-less raw tracepoint and a ring buffer of events.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
struct task_struct { int pid; int tgid; struct task_struct *real_parent; unsigned long long start_time; } __attribute__((preserve_access_index));
struct event { int pid; int ppid; unsigned long long start; };
struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} events SEC(".maps");
SEC("raw_tracepoint/sys_enter")
int on_enter(void *ctx) {
  struct task_struct *task = (struct task_struct *)bpf_get_current_task();
  struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
  if (!e) return 0;
  e->pid = BPF_CORE_READ(task, tgid);
  e->ppid = BPF_CORE_READ(task, real_parent, tgid);
  e->start = bpf_core_field_exists(task->start_time) ? BPF_CORE_READ(task, start_time) : bpf_core_type_size(struct task_struct);
  bpf_ringbuf_submit(e, 0);
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
