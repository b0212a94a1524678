namespace Ebpf.Btf.Tests.Support;

/// <summary>C programs whose clang-generated BTF the parser is checked against.</summary>
public static class CSources
{
    public const string Maps = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        struct val { __u64 a; __u64 b; };
        struct {
          __uint(type, BPF_MAP_TYPE_HASH);
          __uint(max_entries, 1024);
          __type(key, __u32);
          __type(value, struct val);
        } counts SEC(".maps");
        const volatile int grodata = 7;
        int gdata = 3;
        int gbss;
        static __attribute__((noinline)) int add_static(int a, int b) { return a + b; }
        SEC("xdp")
        int xdp_count(struct xdp_md *ctx) {
          __u32 k = 1;
          struct val *v = bpf_map_lookup_elem(&counts, &k);
          if (v) v->a += grodata;
          gbss++;
          return add_static(gdata, 2) ? 2 : 1;
        }
        char LICENSE[] SEC("license") = "GPL";
        """;

    /// <summary>Bit-fields, unions, enums, forward declarations, floats, qualifiers, tags, 2-D arrays, int128.</summary>
    public const string Kinds = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>
        struct bits { unsigned a:3; int b:5; unsigned char c; unsigned long long d:40; };
        union u { int x; float f; };
        enum e { A = -1, B = 5 };
        typedef const volatile int cvint;
        union fwd_union;
        struct node {
          struct node *next; union fwd_union *fu; double d; char arr[3][5]; __int128 big; _Bool flag;
          cvint c; enum e ee; union u uu; struct bits bb; int x __attribute__((btf_decl_tag("member")));
        } __attribute__((btf_decl_tag("tagged")));
        struct node gnode;
        int restrict_fn(int *restrict p __attribute__((btf_decl_tag("param")))) { return *p; }
        SEC("xdp") int prog(struct xdp_md *ctx) { return gnode.x + restrict_fn(&gnode.x); }
        char LICENSE[] SEC("license") = "GPL";
        """;
}
