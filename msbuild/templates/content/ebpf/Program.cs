using Ebpf.Object;
using Ebpf.Runtime;

// User space: load the embedded EbpfApp.bpf.o, attach it, print the top processes by openat() every second.
// Run as root (or with CAP_BPF and CAP_PERFMON). Usage: EbpfApp [SECONDS]
int seconds = args.Length > 0 && int.TryParse(args[0], out var s) ? s : 10;

var spec = ElfObjectReader.ReadEmbedded(typeof(Program).Assembly, "EbpfApp.bpf.o");
using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "EbpfApp" });
using var link = collection.GetProgram("OnOpenat").Attach();
var opens = collection.GetMap<uint, ulong>("Opens");

for (int i = 0; i < seconds; i++)
{
    Thread.Sleep(TimeSpan.FromSeconds(1));
    Console.WriteLine($"--- {DateTime.Now:HH:mm:ss}");
    foreach (var (pid, count) in opens.ToList().OrderByDescending(kv => kv.Value).Take(5))
        Console.WriteLine($"pid {pid,8}  openat {count,8}");
}
