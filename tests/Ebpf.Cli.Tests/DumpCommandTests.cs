using Ebpf.TestSupport;

namespace Ebpf.Cli.Tests;

public class DumpCommandTests
{
    static void AssertOneErrorLine(CliRunner.Result r, string expectedStart)
    {
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("", r.Output);
        var line = Assert.Single(r.Error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith(expectedStart, line);
        Assert.DoesNotContain("   at ", r.Error);
    }

    [Fact]
    public void Bad_files_give_one_error_line_and_exit_1()
    {
        var dir = CliRunner.TempDir();
        try
        {
            var text = Path.Combine(dir, "text.bpf.o");
            File.WriteAllText(text, "this is not an ELF file at all, just text\n");
            AssertOneErrorLine(CliRunner.Run("dump", text), "ebpf: error: ");

            var notBpf = Path.Combine(dir, "x86.o");
            File.Copy("/bin/true", notBpf);
            AssertOneErrorLine(CliRunner.Run("dump", notBpf), "ebpf: error: ");

            var valid = ClangObjects.Build(dir, "xdp_pass");
            var truncated = Path.Combine(dir, "truncated.bpf.o");
            File.WriteAllBytes(truncated, File.ReadAllBytes(valid)[..100]);
            AssertOneErrorLine(CliRunner.Run("dump", truncated), "ebpf: error: ");

            AssertOneErrorLine(CliRunner.Run("dump", Path.Combine(dir, "missing.bpf.o")), "ebpf: error: ");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void A_bad_file_as_a_process_prints_one_line_and_exits_1()
    {
        var dir = CliRunner.TempDir();
        try
        {
            var text = Path.Combine(dir, "junk.o");
            File.WriteAllBytes(text, new byte[] { 0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1 });
            AssertOneErrorLine(CliRunner.RunProcess("dump", text), "ebpf: error: ");
        }
        finally { Directory.Delete(dir, true); }
    }

    [Fact]
    public void Dump_of_a_clang_object_shows_maps_globals_programs_and_disassembly()
    {
        var dir = CliRunner.TempDir();
        try
        {
            var obj = ClangObjects.Build(dir, "counter");
            var r = CliRunner.Run("dump", obj);
            Assert.True(r.ExitCode == 0, r.Error);
            Snapshot.Match("clang-counter-dump", r.Output.Replace(dir, "<dir>"));
        }
        finally { Directory.Delete(dir, true); }
    }
}

/// <summary>Reference objects compiled by clang during the test (clang -O2 -g -target bpf).</summary>
static class ClangObjects
{
    static readonly Dictionary<string, string> Sources = new()
    {
        ["xdp_pass"] = """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            SEC("xdp") int xdp_pass(struct xdp_md *ctx) { return XDP_PASS; }
            char LICENSE[] SEC("license") = "GPL";
            """,
        ["counter"] = """
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 1024); __type(key, __u32); __type(value, __u64); } counts SEC(".maps");
            const volatile __u32 target_pid = 0;
            __u64 misses = 0;
            __u64 budget = 5;
            static __noinline int bump(__u64 *v) { __sync_fetch_and_add(v, 1); return 0; }
            SEC("tracepoint/syscalls/sys_enter_openat")
            int on_openat(void *ctx)
            {
                __u32 pid = bpf_get_current_pid_tgid() >> 32;
                if (target_pid != 0 && pid != target_pid) return 0;
                __u64 *count = bpf_map_lookup_elem(&counts, &pid);
                if (!count) { __u64 one = 1; if (bpf_map_update_elem(&counts, &pid, &one, BPF_NOEXIST)) misses++; return budget; }
                return bump(count);
            }
            char LICENSE[] SEC("license") = "GPL";
            """,
    };

    public static string Build(string dir, string name)
    {
        var c = Path.Combine(dir, name + ".bpf.c");
        File.WriteAllText(c, Sources[name]);
        var o = Path.Combine(dir, name + ".bpf.o");
        var r = ExternalTool.Run(ExternalTool.Require("clang"), "-O2", "-g", "-target", "bpf", "-I/usr/include/x86_64-linux-gnu", "-c", c, "-o", o);
        Assert.True(r.ExitCode == 0, r.Combined);
        return o;
    }
}
