using System.Runtime.InteropServices;
using Ebpf.Object;

namespace Ebpf.Runtime.Tests.Maps;

/// <summary>Typed views of maps and typed globals are checked against the object's BTF field by field: a C# struct of
/// the right size whose fields are reordered, resized or nested differently is refused with an error that names the
/// field, where a size check alone would let it read garbage.</summary>
public unsafe class RecordLayoutTests
{
    const string Source = """
        #include <linux/bpf.h>
        #include <bpf/bpf_helpers.h>

        struct event { __u32 pid; __u32 tid; char comm[16]; __u64 ts; };
        struct inner { __u16 a; __u16 b; };
        struct outer { __u32 x; struct inner in; };

        struct { __uint(type, BPF_MAP_TYPE_HASH); __uint(max_entries, 8); __type(key, __u32); __type(value, struct event); } events SEC(".maps");
        struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 1); __type(key, __u32); __type(value, struct outer); } outers SEC(".maps");
        struct event last_event = {};
        const volatile struct outer config = {};

        SEC("xdp")
        int record(struct xdp_md *ctx)
        {
            __u32 key = 0;
            struct event *e = bpf_map_lookup_elem(&events, &key);
            struct outer *o = bpf_map_lookup_elem(&outers, &key);
            if (e && o) { last_event = *e; o->in.b = config.in.a; }
            return XDP_PASS;
        }

        char LICENSE[] SEC("license") = "GPL";
        """;

    public struct Event { public uint Pid; public uint Tid; public fixed byte Comm[16]; public ulong Ts; }
    public struct EventTidAfterComm { public uint Pid; public fixed byte Comm[16]; public uint Tid; public ulong Ts; }
    public struct EventTimeFirst { public ulong Ts; public uint Pid; public uint Tid; public fixed byte Comm[16]; }
    public struct Inner { public ushort A; public ushort B; }
    public struct Outer { public uint X; public Inner In; }
    public struct InnerAsOneField { public uint Ab; }
    public struct OuterWithOneFieldInner { public uint X; public InnerAsOneField In; }
    public record struct EventRecord(uint Pid, uint Tid, ulong Comm0, ulong Comm1, ulong Ts);
    /// <summary>Only the fields the reader needs, at the object's offsets.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    public struct EventPidAndTimeOnly { [FieldOffset(24)] public ulong Ts; [FieldOffset(0)] public uint Pid; }

    static ObjectSpec Spec() => ElfObjectReader.ReadFile(ClangBpf.CompileSource(Source, "record_layout"));

    [SkippableFact]
    public void Structs_laid_out_as_the_objects_btf_declares_are_accepted_and_read_what_the_program_wrote()
    {
        Kernel.RequireBpf();
        var spec = Spec();
        spec.SetVariable("config", new Outer { In = new Inner { A = 77 } });
        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "reclayout" });
        var events = collection.GetMap("events").As<uint, Event>();
        var e = new Event { Pid = 1, Tid = 2, Ts = 3 };
        e.Comm[0] = (byte)'x';
        events[0] = e;
        collection.GetMap("outers").As<uint, Outer>()[0] = new Outer { X = 5 };

        Assert.Equal(2u, collection.GetProgram("record").TestRun(new TestRunOptions { Data = new byte[64] }).ReturnValue);

        var copied = collection.ReadVariable<Event>("last_event");
        Assert.Equal((1u, 2u, 3ul, (byte)'x'), (copied.Pid, copied.Tid, copied.Ts, copied.Comm[0]));
        Assert.Equal(77, collection.GetMap("outers").As<uint, Outer>()[0].In.B);
        var partial = collection.GetMap("events").As<uint, EventPidAndTimeOnly>()[0];
        Assert.Equal((1u, 3ul), (partial.Pid, partial.Ts));
    }

    [SkippableFact]
    public void A_map_value_with_reordered_fields_of_the_same_total_size_is_refused_naming_the_field()
    {
        Kernel.RequireBpf();
        using var collection = Collection.Load(Spec(), new CollectionOptions { ObjectName = "reclayout" });
        var map = collection.GetMap("events");

        var swapped = Assert.Throws<MapMismatchException>(() => map.As<uint, EventTidAfterComm>());
        Assert.Equal("map 'events': value type EventTidAfterComm: field Comm at offset 4 (16 bytes) is the object's member 'tid' at offset 4 (4 bytes)", swapped.Message);
        var first = Assert.Throws<MapMismatchException>(() => map.As<uint, EventTimeFirst>());
        Assert.Contains("field Ts at offset 0 (8 bytes) is the object's member 'pid' at offset 0 (4 bytes)", first.Message);
        var record = Assert.Throws<MapMismatchException>(() => map.As<uint, EventRecord>());
        Assert.Contains("field Comm0 at offset 8 (8 bytes) is the object's member 'comm' at offset 8 (16 bytes)", record.Message);
    }

    [SkippableFact]
    public void A_nested_struct_that_differs_is_refused_with_its_path_in_maps_and_globals()
    {
        Kernel.RequireBpf();
        var spec = Spec();
        var global = Assert.Throws<ArgumentException>(() => spec.SetVariable("config", new OuterWithOneFieldInner()));
        Assert.Contains("global variable 'config' (.rodata): OuterWithOneFieldInner: field In.Ab at offset 0 (4 bytes) is the object's member 'a' at offset 0 (2 bytes)", global.Message);

        using var collection = Collection.Load(spec, new CollectionOptions { ObjectName = "reclayout" });
        var map = Assert.Throws<MapMismatchException>(() => collection.GetMap("outers").As<uint, OuterWithOneFieldInner>());
        Assert.Contains("field In.Ab at offset 0 (4 bytes) is the object's member 'a'", map.Message);
        var read = Assert.Throws<ArgumentException>(() => collection.ReadVariable<EventTidAfterComm>("last_event"));
        Assert.Contains("field Comm at offset 4 (16 bytes) is the object's member 'tid'", read.Message);
    }
}
