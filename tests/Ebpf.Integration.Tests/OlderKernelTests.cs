using Ebpf.TestSupport;

namespace Ebpf.Integration.Tests;

/// <summary>This machine's 6.18 verifier accepts code that the 6.1 and 6.12 kernels users run
/// reject. These tests boot Debian's 6.1 and 6.12 cloud kernels under qemu
/// (scripts/verify-on-older-kernels.sh) and load the objects there with bpftool.</summary>
public sealed class OlderKernelTests
{
    static ExternalTool.Result VerifyOnOlderKernels(params string[] objects) =>
        ExternalTool.RunWithTimeout("bash", TimeSpan.FromMinutes(8), [RepoPaths.Combine("scripts", "verify-on-older-kernels.sh"), .. objects]);

    [SkippableFact]
    public void Sample_objects_pass_the_6_1_and_6_12_verifiers()
    {
        Kernel.RequireBpf();
        var result = VerifyOnOlderKernels(SampleObjects.WriteToTemp("OpenCounter"), SampleObjects.WriteToTemp("XdpFilter"));
        Assert.True(result.ExitCode == 0, result.Combined);
        var kernels = result.StdOut.Split("KERNEL ", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, kernels.Length);
        Assert.StartsWith("6.1.", kernels[0]);
        Assert.StartsWith("6.12.", kernels[1]);
        foreach (var kernel in kernels)
        {
            Assert.Contains("LOADED OpenCounter: OnOpenat", kernel);
            Assert.Contains("LOADED XdpFilter: Filter", kernel);
        }
    }

    /// <summary>The check can fail: a clang-built XDP program that uses an array map value without a NULL
    /// check loads on 6.18 (constant in-range key) but 6.1 rejects it.</summary>
    [SkippableFact]
    public void A_missing_null_check_that_6_18_forgives_is_caught_on_6_1()
    {
        Kernel.RequireBpf();
        var obj = ClangBpf.CompileSource("""
            #include <linux/bpf.h>
            #include <bpf/bpf_helpers.h>
            struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 2); __type(key, __u32); __type(value, __u64); } Stats SEC(".maps");
            SEC("xdp")
            int nonull(struct xdp_md *ctx)
            {
                __u32 key = 0;
                __u64 *v = bpf_map_lookup_elem(&Stats, &key);
                asm volatile("" : "+r"(v));
                *v += 1;
                return XDP_PASS;
            }
            char LICENSE[] SEC("license") = "GPL";
            """, "nonull.bpf");

        using (var here = Ebpf.Runtime.Collection.LoadFile(obj)) Assert.Single(here.Programs);  // 6.18 accepts it

        var result = VerifyOnOlderKernels(obj);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Matches(@"KERNEL 6\.1\.[^\n]*\nREJECTED nonull", result.StdOut);
        Assert.Contains("map_value_or_null", result.StdOut);
    }
}
