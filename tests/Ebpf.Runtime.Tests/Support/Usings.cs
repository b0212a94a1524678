global using Ebpf.Asm;
global using Ebpf.Object;
global using Ebpf.Runtime.Tests.Support;
global using Ebpf.TestSupport;
global using static Ebpf.Asm.Register;

// Kernel tests share the process: tracepoint counters filter by this process's tgid, and the
// all-or-nothing test counts this process's BPF fds. Running test classes in parallel would mix them.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
