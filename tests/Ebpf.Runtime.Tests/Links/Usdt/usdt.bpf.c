// Reads the USDT probes of usdt_target.c through libbpf's usdt.bpf.h protocol: the loader fills __bpf_usdt_specs
// with each probe's argument specs and passes the spec id as the BPF cookie. on_plain is attached by the test
// (SEC("usdt") names no target); on_guarded auto-attaches from its section (TARGET is the target binary's path).
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <stdbool.h>
#include <bpf/usdt.bpf.h>

long plain_hits, plain_arg_count, plain_a, plain_b, plain_c, plain_k, plain_s, plain_missing_arg_error;
long guarded_hits, guarded_u, guarded_l, guarded_cookie;

SEC("usdt")
int BPF_USDT(on_plain, int a, unsigned long long b, signed char c, int k, short s)
{
    long missing;
    __sync_fetch_and_add(&plain_hits, 1);
    plain_arg_count = bpf_usdt_arg_cnt(ctx);
    plain_a = a;
    plain_b = b;
    plain_c = c;
    plain_k = k;
    plain_s = s;
    plain_missing_arg_error = bpf_usdt_arg(ctx, 5, &missing);
    return 0;
}

SEC("usdt/" TARGET ":demo:guarded")
int BPF_USDT(on_guarded, unsigned char u, long l)
{
    __sync_fetch_and_add(&guarded_hits, 1);
    guarded_u = u;
    guarded_l = l;
    guarded_cookie = bpf_usdt_cookie(ctx);
    return 0;
}

char LICENSE[] SEC("license") = "GPL";
