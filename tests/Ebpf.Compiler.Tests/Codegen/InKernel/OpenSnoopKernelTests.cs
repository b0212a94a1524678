using System.Runtime.InteropServices;
using System.Text;
using Ebpf.Runtime;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Codegen.InKernel;

/// <summary>An opensnoop-like probe: ring buffer records reserved in place, the task name copied by a
/// helper into an inline array, the file name read from user memory into a fixed buffer of the
/// record, a .rodata filter. The events of this process's opens come back through the ring buffer.</summary>
public class OpenSnoopKernelTests
{
    const string Source = """
        using System.Runtime.CompilerServices;
        using Ebpf;

        public struct Args { public ulong Common; public long SyscallNr; public long Dfd; public ulong Filename; public long Flags; public long Mode; }
        [InlineArray(16)] public struct Comm { byte _first; }
        public unsafe struct OpenEvent { public uint Pid; public int Flags; public Comm Comm; public fixed byte Filename[64]; }

        [BpfObject]
        public static unsafe partial class OpenSnoop
        {
            static readonly RingBuffer Events = new(sizeBytes: 1 << 16);
            static readonly uint TargetPid;

            [Tracepoint("syscalls", "sys_enter_openat")]
            static int OnOpenat(in Args args)
            {
                uint pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);
                if (pid != TargetPid) return 0;
                ref OpenEvent e = ref Events.Reserve<OpenEvent>();
                if (Unsafe.IsNullRef(ref e)) return 0;
                e.Pid = pid;
                e.Flags = (int)args.Flags;
                Bpf.GetCurrentComm(out e.Comm);
                fixed (byte* name = e.Filename) Bpf.ProbeReadUserStr(name, 64, (void*)args.Filename);
                Events.Submit(ref e);
                return 0;
            }
        }
        """;

    [StructLayout(LayoutKind.Sequential)]
    unsafe struct OpenEvent
    {
        public uint Pid;
        public int Flags;
        public fixed byte Comm[16];
        public fixed byte Filename[64];
    }

    static unsafe string Text(byte* bytes, int max)
    {
        int n = 0;
        while (n < max && bytes[n] != 0) n++;
        return Encoding.UTF8.GetString(bytes, n);
    }

    [SkippableFact]
    public unsafe void Opens_of_this_process_arrive_with_pid_name_and_file_name()
    {
        Kernel.RequireTracefs();
        int pid = Environment.ProcessId;
        using var probe = LoadedProbe.Load(Source, "OpenSnoop.cs", spec => spec.SetVariable("TargetPid", (uint)pid));
        var file = Path.Combine(Path.GetTempPath(), $"codegen-snoop-{Guid.NewGuid():N}"[..40]);
        File.WriteAllText(file, "x");
        try
        {
            using (probe.Program("OnOpenat").Attach()) File.ReadAllText(file);
            using var reader = new RingBufferReader(probe.Collection.Maps["Events"]);
            var events = new List<(uint Pid, string Comm, string File)>();
            reader.Drain<OpenEvent>(e => events.Add((e.Pid, Text(e.Comm, 16), Text(e.Filename, 64))));
            Assert.True(events.Any(e => e.File == file), $"no event for {file}; events: {string.Join("; ", events)}");
            var mine = events.First(e => e.File == file);
            Assert.Equal((uint)pid, mine.Pid);
            Assert.False(string.IsNullOrEmpty(mine.Comm));
            Assert.All(events, e => Assert.Equal((uint)pid, e.Pid));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
