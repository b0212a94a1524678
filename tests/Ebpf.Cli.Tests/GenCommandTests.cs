namespace Ebpf.Cli.Tests;

/// <summary><c>ebpf gen vmlinux|tracepoint|bindings</c>: files written, and bad input as one error line with exit code 1.</summary>
public class GenCommandTests
{
    [Fact]
    public void Gen_vmlinux_writes_the_named_types_and_their_dependencies()
    {
        var dir = CliRunner.TempDir();
        try
        {
            var file = Path.Combine(dir, "Vmlinux.g.cs");
            var r = CliRunner.Run("gen", "vmlinux", "task_struct", "-o", file);
            Assert.True(r.ExitCode == 0, r.Error);
            Assert.Equal($"task_struct -> {file}", r.Output.Trim());
            var text = File.ReadAllText(file);
            Assert.Contains("[CoreType(\"task_struct\"), StructLayout(LayoutKind.Explicit, Size = ", text);
            Assert.Contains("public task_struct* real_parent;", text);
            Assert.Contains("public unsafe partial struct list_head", text);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Unknown_names_and_files_are_one_error_line()
    {
        var r = CliRunner.Run("gen", "vmlinux", "no_such_kernel_type_btfgen");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("ebpf: error: /sys/kernel/btf/vmlinux: no struct, union, enum or typedef named 'no_such_kernel_type_btfgen' in the BTF", r.Error.Trim());
        r = CliRunner.Run("gen", "tracepoint", "nocategory");
        Assert.Equal(1, r.ExitCode);
        Assert.Equal("ebpf: error: 'nocategory' is not CATEGORY/NAME (for example sched/sched_process_exec)", r.Error.Trim());
        r = CliRunner.Run("gen", "tracepoint", "btfgen_none/none", "--tracefs", "/nonexistent-btfgen");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("ebpf: error: tracepoint btfgen_none/none: cannot read /nonexistent-btfgen/events/btfgen_none/none/format", r.Error.Trim());
        Assert.Single(r.Error.Trim().Split('\n'));
        var dir = CliRunner.TempDir();
        try
        {
            var junk = Path.Combine(dir, "junk.bpf.o");
            File.WriteAllText(junk, "not an object");
            r = CliRunner.Run("gen", "bindings", junk);
            Assert.Equal(1, r.ExitCode);
            Assert.StartsWith("ebpf: error: ", r.Error);
            Assert.Single(r.Error.Trim().Split('\n'));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void Gen_tracepoint_reads_tracefs()
    {
        var r = CliRunner.Run("gen", "tracepoint", "sched/sched_process_exec");
        Assert.True(r.ExitCode == 0, r.Error);
        Assert.Contains("public unsafe struct sched_process_exec", r.Output);
        Assert.Contains("public readonly int filename_offset()", r.Output);
    }
}
