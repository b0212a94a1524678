// Seed for the object fuzz tests: a program array with tail calls, a socket filter, a bounded loop over a
// .rodata table, strings in .rodata.str1.1 and a bpf_printk.
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct {
  __uint(type, BPF_MAP_TYPE_PROG_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u32);
} jumps SEC(".maps");
static const int weights[4] = { 1, 2, 3, 5 };
SEC("socket")
int filter_next(struct __sk_buff *skb) { return skb->len > 100 ? 0 : -1; }
SEC("socket")
int filter(struct __sk_buff *skb) {
  int sum = 0;
  for (int i = 0; i < 4; i++) sum += weights[i] * (skb->len & 1);
  bpf_printk("len %d sum %d", skb->len, sum);
  bpf_tail_call(skb, &jumps, 0);
  return sum;
}
char LICENSE[] SEC("license") = "GPL";
