// A USDT program as libbpf 1.7's usdt.bpf.h lays out its protocol (the installed header is older): struct
// __bpf_usdt_arg_spec carries an indexed (SIB) operand's index register and scale in bit-fields after an 8-bit
// arg_type, which moves reg_off to byte 14 and makes each argument spec 24 bytes. The runtime reads that layout from
// this object's BTF. read_arg() reads the two kinds usdt_target.c's demo:indexed probe uses.
#include <linux/bpf.h>
#include <linux/ptrace.h>
#include <linux/errno.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>

enum __bpf_usdt_arg_type { BPF_USDT_ARG_CONST, BPF_USDT_ARG_REG, BPF_USDT_ARG_REG_DEREF, BPF_USDT_ARG_SIB };

struct __bpf_usdt_arg_spec {
	__u64 val_off;
	enum __bpf_usdt_arg_type arg_type: 8;
	__u16 idx_reg_off: 12;
	__u16 scale_bitshift: 4;
	__u8 __reserved: 8;
	short reg_off;
	bool arg_signed;
	char arg_bitshift;
};

struct __bpf_usdt_spec {
	struct __bpf_usdt_arg_spec args[12];
	__u64 usdt_cookie;
	short arg_cnt;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, int);
	__type(value, struct __bpf_usdt_spec);
} __bpf_usdt_specs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, long);
	__type(value, int);
} __bpf_usdt_ip_to_spec_id SEC(".maps");

long indexed_hits, indexed_value, indexed_index, indexed_arg_count, indexed_error, indexed_cookie;

static __always_inline long read_arg(struct pt_regs *ctx, struct __bpf_usdt_spec *spec, int n, long *out)
{
	struct __bpf_usdt_arg_spec *arg = &spec->args[n];
	unsigned long val = 0, idx = 0;
	long err;

	switch (arg->arg_type) {
	case BPF_USDT_ARG_REG:
		err = bpf_probe_read_kernel(&val, sizeof(val), (void *)ctx + arg->reg_off);
		break;
	case BPF_USDT_ARG_SIB:
		err = bpf_probe_read_kernel(&val, sizeof(val), (void *)ctx + arg->reg_off);
		if (err)
			return err;
		err = bpf_probe_read_kernel(&idx, sizeof(idx), (void *)ctx + arg->idx_reg_off);
		if (err)
			return err;
		err = bpf_probe_read_user(&val, sizeof(val), (void *)(val + (idx << arg->scale_bitshift) + arg->val_off));
		break;
	default:
		return -EINVAL;
	}
	if (err)
		return err;
	val <<= arg->arg_bitshift;
	*out = arg->arg_signed ? (long)val >> arg->arg_bitshift : (long)(val >> arg->arg_bitshift);
	return 0;
}

SEC("usdt")
int on_indexed(struct pt_regs *ctx)
{
	int id = bpf_get_attach_cookie(ctx);
	struct __bpf_usdt_spec *spec = bpf_map_lookup_elem(&__bpf_usdt_specs, &id);
	long value = 0, index = 0;

	if (!spec)
		return 0;
	__sync_fetch_and_add(&indexed_hits, 1);
	indexed_arg_count = spec->arg_cnt;
	indexed_cookie = spec->usdt_cookie;
	indexed_error = read_arg(ctx, spec, 0, &value) | read_arg(ctx, spec, 1, &index);
	indexed_value = value;
	indexed_index = index;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
