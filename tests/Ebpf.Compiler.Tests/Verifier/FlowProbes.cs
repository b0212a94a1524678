namespace Ebpf.Compiler.Tests.Verifier;

/// <summary>The corpora of the flow rules: probes the verifier refuses (marked with the expected ID at the
/// construct) and probes written in the styles users check things, which it accepts.</summary>
public static class FlowProbes
{
    /// <summary>An XDP program <c>Run</c> with <paramref name="body"/>, or a tracepoint program when
    /// <paramref name="tracepoint"/> (context <c>in OpenatArgs args</c>), plus <paramref name="members"/>.</summary>
    public static string Probe(string body, string members = "", bool tracepoint = false) => $$"""
        using System;
        using System.Buffers.Binary;
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;
        using System.Threading;
        using Ebpf;

        public struct Event { public uint Pid; public ulong Value; }
        public struct Big { public ulong A, B, C, D; }
        [StructLayout(LayoutKind.Sequential, Size = 16)] public struct Padded { public uint A; }

        [StructLayout(LayoutKind.Sequential)]
        public struct OpenatArgs
        {
            public ushort CommonType;
            public byte CommonFlags;
            public byte CommonPreemptCount;
            public int CommonPid;
            public int SyscallNr;
            public long Dfd;
            public ulong Filename;
            public long Flags;
            public long Mode;
        }

        [BpfObject(License = "Dual BSD/GPL")]
        public static unsafe partial class Probe
        {
            static readonly HashMap<uint, ulong> Counts = new(maxEntries: 64);
            static readonly ArrayMap<ulong> Stats = new(maxEntries: 4);
            static readonly ArrayMap<Big> Bigs = new(maxEntries: 4);
            static readonly RingBuffer Events = new(sizeBytes: 4096);
            static ulong Total;

            {{(tracepoint
                ? "[Tracepoint(\"syscalls\", \"sys_enter_openat\")]\n    static int Run(in OpenatArgs args)\n    {\n        " + body + "\n        return 0;\n    }"
                : "[Xdp]\n    static XdpAction Run(XdpContext ctx)\n    {\n        " + body + "\n        return XdpAction.Pass;\n    }")}}

            {{members}}
        }
        """;

    /// <summary>Members of the probes of inner-map lookups: a map of maps by index and one by key.</summary>
    const string InnerMaps = """
        static readonly ArrayOfMaps<ArrayMap<ulong>> Tenants = new(maxEntries: 4, innerMaxEntries: 4);
        static readonly HashOfMaps<uint, HashMap<uint, ulong>> ByKey = new(maxEntries: 4, innerMaxEntries: 16);
        """;

    /// <summary>Name, markup source. Each marked span is where the compiler and the analyzer report.</summary>
    public static readonly (string Name, string Markup)[] Invalid =
    [
        // EBPF2106: lookup or reservation used before its null check.
        ("Lookup_incremented_unchecked", Probe("ref ulong c = ref Counts.Lookup(1);\n        {|EBPF2106:c|}++;")),
        ("Lookup_copied_out_unchecked", Probe("ulong v = {|EBPF2106:Stats.Lookup(0)|};\n        Total = v;")),
        ("Lookup_interlocked_unchecked", Probe("ref ulong c = ref Counts.Lookup(2);\n        Interlocked.Increment(ref {|EBPF2106:c|});")),
        ("Lookup_checked_after_use", Probe("ref ulong c = ref Counts.Lookup(3);\n        Total = {|EBPF2106:c|};\n        if (Unsafe.IsNullRef(ref c)) return XdpAction.Drop;")),
        ("Lookup_checked_on_one_branch_only", Probe("ref ulong c = ref Counts.Lookup(4);\n        if (Total > 3 && Unsafe.IsNullRef(ref c)) return XdpAction.Drop;\n        {|EBPF2106:c|} += 2;")),
        ("Lookup_inverted_check", Probe("ref ulong c = ref Counts.Lookup(5);\n        if (!Unsafe.IsNullRef(ref c)) return XdpAction.Drop;\n        {|EBPF2106:c|} = 7;")),
        ("Lookup_struct_field_unchecked", Probe("ref Big b = ref Bigs.Lookup(1);\n        {|EBPF2106:b|}.A = 1;")),
        ("Lookup_passed_to_update_unchecked", Probe("ref ulong c = ref Counts.Lookup(6);\n        Counts.Update(7, {|EBPF2106:c|});")),
        ("Lookup_passed_to_unchecking_method", Probe("ref ulong c = ref Counts.Lookup(8);\n        Bump(ref {|EBPF2106:c|});", "static void Bump(ref ulong v) { v++; }")),
        ("Lookup_in_loop_unchecked", Probe("for (uint i = 0; i < 4; i++)\n        {\n            ref ulong c = ref Stats.Lookup(i);\n            Total += {|EBPF2106:c|};\n        }")),
        ("Reserve_written_unchecked", Probe("ref Event e = ref Events.Reserve<Event>();\n        {|EBPF2106:e|}.Pid = 1;\n        Events.Submit(ref e);")),
        ("Lookup_null_branch_used", Probe("ref ulong c = ref Counts.Lookup(9);\n        if (Unsafe.IsNullRef(ref c)) {|EBPF2106:c|} = 1;")),
        ("Reserve_submitted_unchecked", Probe("ref Event e = ref Events.Reserve<Event>();\n        Events.Submit(ref {|EBPF2106:e|});")),
        ("TaskStorage_get_incremented_unchecked", Probe("ref ulong n = ref PerTask.Get(Bpf.GetCurrentTaskBtf(), flags: LocalStorageFlags.Create);\n        {|EBPF2106:n|}++;", "static readonly TaskStorage<ulong> PerTask = new();", tracepoint: true)),
        ("InnerMap_used_unchecked", Probe("var inner = Tenants.Lookup(1);\n        ref ulong c = ref {|EBPF2106:inner|}.Lookup(0);\n        if (!Unsafe.IsNullRef(ref c)) c++;", InnerMaps)),
        ("InnerMap_null_branch_used", Probe("var inner = ByKey.Lookup(7);\n        if (inner == null) {|EBPF2106:inner|}.Update(1, Total);", InnerMaps)),
        // EBPF2107: packet bytes past the checked range.
        ("Packet_read_without_check", Probe("byte* data = ctx.Data;\n        Total = {|EBPF2107:*(ushort*)(data + 12)|};")),
        ("Packet_read_past_check", Probe("byte* data = ctx.Data;\n        if (data + 14 > ctx.DataEnd) return XdpAction.Drop;\n        Total = {|EBPF2107:*(uint*)(data + 12)|};")),
        ("Packet_length_compared_not_pointer", Probe("byte* data = ctx.Data;\n        if (ctx.DataEnd - data < 14) return XdpAction.Drop;\n        Total = {|EBPF2107:data[13]|};")),
        ("Packet_check_on_other_branch", Probe("byte* data = ctx.Data;\n        if (data + 14 <= ctx.DataEnd) Total = 1;\n        Total += {|EBPF2107:data[0]|};")),
        ("Packet_inverted_check", Probe("byte* data = ctx.Data; byte* end = ctx.DataEnd;\n        if (data + 4 <= end) return XdpAction.Drop;\n        Total = {|EBPF2107:*(uint*)data|};")),
        ("Packet_variable_pointer_unchecked", Probe("byte* data = ctx.Data; byte* end = ctx.DataEnd;\n        if (data + 14 > end) return XdpAction.Drop;\n        byte* next = data + (data[0] & 15);\n        Total = {|EBPF2107:*next|};")),
        ("Packet_variable_pointer_short_check", Probe("byte* data = ctx.Data; byte* end = ctx.DataEnd;\n        if (data + 1 > end) return XdpAction.Drop;\n        byte* next = data + (data[0] & 15);\n        if (next + 2 > end) return XdpAction.Drop;\n        Total = {|EBPF2107:*(uint*)next|};")),
        ("Packet_write_unchecked", Probe("byte* data = ctx.Data;\n        {|EBPF2107:data[0]|} = 1;")),
        ("Packet_struct_field_unchecked", Probe("var h = (Big*)ctx.Data;\n        Total = {|EBPF2107:h->B|};")),
        ("Packet_struct_past_sizeof_check", Probe("byte* data = ctx.Data;\n        if (data + sizeof(Big) > ctx.DataEnd) return XdpAction.Drop;\n        Total = {|EBPF2107:data[sizeof(Big)]|};")),
        ("Packet_struct_field_past_byte_check", Probe("var h = (Big*)ctx.Data;\n        if ((byte*)h + 8 > ctx.DataEnd) return XdpAction.Drop;\n        Total = {|EBPF2107:h->B|};")),
        ("Packet_typed_pointer_check_one_element_short", Probe("ushort* w = (ushort*)ctx.Data;\n        if (w + 1 > ctx.DataEnd) return XdpAction.Drop;\n        Total = {|EBPF2107:w[1]|};")),
        ("Packet_check_in_helper_too_short", Probe("byte* data = ctx.Data;\n        if (!Has(data, ctx.DataEnd)) return XdpAction.Drop;\n        Total = {|EBPF2107:*(ulong*)data|};", "static bool Has(byte* p, byte* end) => p + 4 <= end;")),
        // EBPF2108: a reservation leaked on one path, reported at the leaking exit.
        ("Reserve_leaked_on_early_return", Probe("ref Event e = ref Events.Reserve<Event>();\n        if (Unsafe.IsNullRef(ref e)) return XdpAction.Pass;\n        e.Pid = 1;\n        if (Total > 5) {|EBPF2108:return XdpAction.Drop;|}\n        Events.Submit(ref e);")),
        ("Reserve_never_released", Probe("ref Event e = ref Events.Reserve<Event>();\n        if (Unsafe.IsNullRef(ref e)) return XdpAction.Pass;\n        e.Pid = 2;\n        {|EBPF2108:return XdpAction.Tx;|}")),
        ("Reserve_released_on_one_branch", Probe("ref Event e = ref Events.Reserve<Event>();\n        if (Unsafe.IsNullRef(ref e)) return XdpAction.Pass;\n        if (Total > 1) Events.Submit(ref e);\n        {|EBPF2108:return XdpAction.Drop;|}")),
        ("Reserve_unchecked_and_unreleased", Probe("ref Event e = ref Events.Reserve<Event>();\n        Total = 1;\n        {|EBPF2108:return XdpAction.Drop;|}")),
        ("Reserve_leaked_in_tracepoint", Probe("ref Event e = ref Events.Reserve<Event>();\n        if (Unsafe.IsNullRef(ref e)) return 0;\n        e.Value = (ulong)args.Dfd;\n        if (args.Flags == 0) {|EBPF2108:return 1;|}\n        Events.Discard(ref e);", tracepoint: true)),
        // EBPF2109: loops bounded by a value the verifier knows nothing of.
        ("Loop_bound_from_map", Probe("ref ulong n = ref Stats.Lookup(0);\n        if (Unsafe.IsNullRef(ref n)) return XdpAction.Pass;\n        ulong limit = n;\n        for (ulong i = 0; i < {|EBPF2109:limit|}; i++) Total += i;")),
        ("Loop_bound_from_global", Probe("ulong s = 0;\n        ulong limit = Total;\n        for (ulong i = 0; i < {|EBPF2109:limit|}; i++) s += i;\n        Total = s;")),
        ("While_bound_from_tracepoint_field", Probe("long i = 0;\n        long limit = args.Mode;\n        while (i < {|EBPF2109:limit|}) { Total++; i++; }", tracepoint: true)),
        ("Loop_bound_from_helper", Probe("ulong limit = Bpf.GetPrandomU32();\n        for (ulong i = 0; {|EBPF2109:limit|} > i; i++) Total += 3;")),
        ("Loop_bound_clamped_too_late", Probe("ulong limit = Total;\n        for (ulong i = 0; i < {|EBPF2109:limit|}; i++) Total++;\n        if (limit > 8) limit = 8;")),
        // EBPF2110: helper size arguments.
        ("ProbeRead_size_from_global", Probe("Big b;\n        uint size = (uint)Total;\n        Bpf.ProbeReadKernel(&b, {|EBPF2110:size|}, (void*)args.Filename);\n        Total = b.A;", tracepoint: true)),
        ("ProbeReadUser_size_from_field", Probe("Big b;\n        Bpf.ProbeReadUser(&b, {|EBPF2110:(uint)args.Mode|}, (void*)args.Filename);\n        Total = b.B;", tracepoint: true)),
        ("ProbeReadStr_size_from_helper", Probe("Big b;\n        uint n = Bpf.GetPrandomU32();\n        Bpf.ProbeReadUserStr((byte*)&b, {|EBPF2110:n|}, (void*)args.Filename);\n        Total = b.C;", tracepoint: true)),
        // EBPF2111: the tracepoint record's common fields.
        ("Tracepoint_common_pid", Probe("Total = (ulong){|EBPF2111:args.CommonPid|};", tracepoint: true)),
        ("Tracepoint_common_type", Probe("if ({|EBPF2111:args.CommonType|} == 3) Total++;", tracepoint: true)),
        ("Tracepoint_common_flags", Probe("Total += {|EBPF2111:args.CommonFlags|};", tracepoint: true)),
        ("Tracepoint_common_preempt_count", Probe("Total = {|EBPF2111:args.CommonPreemptCount|};", tracepoint: true)),
        // EBPF2103 (info): division whose divisor no check guards.
        ("Division_unguarded", Probe("ulong d = Total;\n        Total = {|EBPF2103:100 / d|};")),
        ("Remainder_unguarded", Probe("ulong d = Total;\n        Total = {|EBPF2103:100 % d|};")),
        ("Division_guarded_on_other_path", Probe("ulong d = Total;\n        if (d != 0) Total = 1;\n        Total += {|EBPF2103:7 / d|};")),
        ("Division_by_map_value", Probe("ref ulong v = ref Stats.Lookup(0);\n        if (Unsafe.IsNullRef(ref v)) return XdpAction.Pass;\n        Total = {|EBPF2103:Total / v|};")),
    ];

    /// <summary>Name, source: accepted by the compiler without a flow diagnostic and by the kernel.</summary>
    public static readonly (string Name, string Source)[] Valid =
    [
        ("Lookup_early_return", Probe("ref ulong c = ref Counts.Lookup(1);\n        if (Unsafe.IsNullRef(ref c)) return XdpAction.Pass;\n        c++;")),
        ("Lookup_negated_check", Probe("ref ulong c = ref Counts.Lookup(1);\n        if (!Unsafe.IsNullRef(ref c)) c += 2;")),
        ("Lookup_if_else", Probe("ref ulong c = ref Counts.Lookup(1);\n        if (Unsafe.IsNullRef(ref c)) Counts.Update(1, 1);\n        else Interlocked.Increment(ref c);")),
        ("Lookup_conditional_expression", Probe("ref ulong c = ref Stats.Lookup(1);\n        Total = Unsafe.IsNullRef(ref c) ? 0 : c;")),
        ("Lookup_nested_checks", Probe("ref ulong a = ref Stats.Lookup(0);\n        if (!Unsafe.IsNullRef(ref a))\n        {\n            ref ulong b = ref Stats.Lookup(1);\n            if (!Unsafe.IsNullRef(ref b)) a += b;\n        }")),
        ("Lookup_combined_condition", Probe("ref ulong c = ref Stats.Lookup(2);\n        if (Total > 1 && !Unsafe.IsNullRef(ref c)) c = Total;")),
        ("Lookup_or_condition_early_return", Probe("ref ulong c = ref Stats.Lookup(2);\n        if (Total == 0 || Unsafe.IsNullRef(ref c)) return XdpAction.Pass;\n        c = 9;")),
        ("Lookup_check_in_helper_method", Probe("ref ulong c = ref Counts.Lookup(1);\n        if (!Present(ref c)) return XdpAction.Pass;\n        c++;", "static bool Present(ref ulong v) => !Unsafe.IsNullRef(ref v);")),
        ("Lookup_checked_then_passed_to_method", Probe("ref ulong c = ref Counts.Lookup(1);\n        if (Unsafe.IsNullRef(ref c)) return XdpAction.Pass;\n        Bump(ref c);", "static void Bump(ref ulong v) => v += 3;")),
        ("Lookup_in_loop_checked", Probe("for (uint i = 0; i < 4; i++)\n        {\n            ref ulong c = ref Stats.Lookup(i);\n            if (Unsafe.IsNullRef(ref c)) continue;\n            Total += c;\n        }")),
        ("TaskStorage_get_checked", Probe("ref ulong n = ref PerTask.Get(Bpf.GetCurrentTaskBtf(), flags: LocalStorageFlags.Create);\n        if (!Unsafe.IsNullRef(ref n)) n++;", "static readonly TaskStorage<ulong> PerTask = new();", tracepoint: true)),
        ("TryGetValue_copy", Probe("if (Counts.TryGetValue(1, out ulong v)) Total = v;")),
        ("InnerMap_early_return", Probe("var inner = Tenants.Lookup(1);\n        if (inner == null) return XdpAction.Pass;\n        ref ulong c = ref inner.Lookup(0);\n        if (!Unsafe.IsNullRef(ref c)) c++;", InnerMaps)),
        ("InnerMap_is_not_null", Probe("var inner = ByKey.Lookup(7);\n        if (inner is not null && inner.TryGetValue(1, out ulong v)) Total = v;", InnerMaps)),
        ("InnerMap_is_null_else", Probe("var inner = ByKey.Lookup(7);\n        if (inner is null) Total = 0;\n        else inner.Update(1, Total);", InnerMaps)),
        ("TryGetValue_negated", Probe("if (!Stats.TryGetValue(0, out ulong v)) return XdpAction.Pass;\n        Total = v * 2;")),
        ("Struct_value_checked", Probe("ref Big b = ref Bigs.Lookup(1);\n        if (Unsafe.IsNullRef(ref b)) return XdpAction.Pass;\n        b.A = 1; b.D = b.A + 2;")),
        ("Reserve_submit", Probe("ref Event e = ref Events.Reserve<Event>();\n        if (Unsafe.IsNullRef(ref e)) return XdpAction.Pass;\n        e.Pid = 1;\n        Events.Submit(ref e);")),
        ("Reserve_discard_or_submit", Probe("ref Event e = ref Events.Reserve<Event>();\n        if (Unsafe.IsNullRef(ref e)) return XdpAction.Pass;\n        if (Total > 3) { Events.Discard(ref e); return XdpAction.Drop; }\n        e.Value = Total;\n        Events.Submit(ref e);")),
        ("Reserve_negated_check", Probe("ref Event e = ref Events.Reserve<Event>();\n        if (!Unsafe.IsNullRef(ref e))\n        {\n            e.Pid = 3;\n            Events.Submit(ref e);\n        }")),
        ("Reserve_submitted_by_helper_method", Probe("ref Event e = ref Events.Reserve<Event>();\n        if (Unsafe.IsNullRef(ref e)) return XdpAction.Pass;\n        Send(ref e, 5);", "static void Send(ref Event e, uint pid) { e.Pid = pid; Events.Submit(ref e); }")),
        ("Reserve_in_tracepoint", Probe("ref Event e = ref Events.Reserve<Event>();\n        if (Unsafe.IsNullRef(ref e)) return 0;\n        e.Pid = (uint)(Bpf.GetCurrentPidTgid() >> 32);\n        e.Value = (ulong)args.Dfd;\n        Events.Submit(ref e);", tracepoint: true)),
        ("Ringbuf_output_copy", Probe("Event e = default;\n        e.Pid = 4;\n        Events.Output(e);")),
        ("Packet_pointer_early_return", Probe("byte* data = ctx.Data;\n        if (data + 14 > ctx.DataEnd) return XdpAction.Pass;\n        Total = *(ushort*)(data + 12);")),
        ("Packet_pointer_locals", Probe("byte* data = ctx.Data; byte* end = ctx.DataEnd;\n        if (data + 4 > end) return XdpAction.Pass;\n        Total = *(uint*)data;")),
        ("Packet_pointer_reversed_compare", Probe("byte* data = ctx.Data; byte* end = ctx.DataEnd;\n        if (end < data + 2) return XdpAction.Pass;\n        Total = data[1];")),
        ("Packet_pointer_positive_check", Probe("byte* data = ctx.Data; byte* end = ctx.DataEnd;\n        if (data + 8 <= end) Total = *(ulong*)data;")),
        ("Packet_nested_checks", Probe("byte* data = ctx.Data; byte* end = ctx.DataEnd;\n        if (data + 14 <= end)\n        {\n            if (data + 34 <= end) Total = data[33];\n            Total += data[13];\n        }")),
        ("Packet_variable_offset_checked", Probe("byte* data = ctx.Data; byte* end = ctx.DataEnd;\n        if (data + 1 > end) return XdpAction.Pass;\n        byte* next = data + (data[0] & 15);\n        if (next + 4 > end) return XdpAction.Pass;\n        Total = *(uint*)next;")),
        ("Packet_struct_checked_by_element", Probe("var h = (Big*)ctx.Data;\n        if (h + 1 > ctx.DataEnd) return XdpAction.Pass;\n        Total = h->D;")),
        ("Packet_struct_with_explicit_size_checked_by_element", Probe("var h = (Padded*)ctx.Data;\n        if (h + 1 > ctx.DataEnd) return XdpAction.Pass;\n        Total = ((byte*)h)[15];")),
        ("Packet_struct_checked_by_sizeof", Probe("byte* data = ctx.Data;\n        if (data + 14 + sizeof(Big) > ctx.DataEnd) return XdpAction.Pass;\n        var h = (Big*)(data + 14);\n        Total = h->D;")),
        ("Packet_struct_checked_by_sizeof_sum", Probe("byte* data = ctx.Data;\n        if (data + (2 * sizeof(Big) - 1) > ctx.DataEnd) return XdpAction.Pass;\n        Total = data[2 * sizeof(Big) - 2];")),
        ("Packet_struct_field_checked_by_bytes", Probe("var h = (Big*)ctx.Data;\n        if ((byte*)h + 16 > ctx.DataEnd) return XdpAction.Pass;\n        Total = h->B;")),
        ("Packet_typed_pointer_checked_by_elements", Probe("ushort* w = (ushort*)ctx.Data;\n        if (w + 2 > ctx.DataEnd) return XdpAction.Pass;\n        Total = w[1];")),
        ("Packet_typed_pointer_incremented", Probe("ushort* w = (ushort*)ctx.Data;\n        if (w + 3 > ctx.DataEnd) return XdpAction.Pass;\n        w++;\n        Total = w[1];")),
        ("Packet_check_in_helper_method", Probe("byte* data = ctx.Data;\n        if (!Has(data, ctx.DataEnd)) return XdpAction.Pass;\n        Total = *(uint*)data;", "static bool Has(byte* p, byte* end) => p + 4 <= end;")),
        ("TryRead_header", Probe("if (!ctx.TryRead(12, out ushort type)) return XdpAction.Pass;\n        Total = BinaryPrimitives.ReverseEndianness(type);")),
        ("TryRead_variable_offset", Probe("if (!ctx.TryRead(0, out byte first)) return XdpAction.Pass;\n        if (ctx.TryRead(first & 31, out uint word)) Total = word;")),
        ("TryWrite_header", Probe("if (!ctx.TryWrite(0, (byte)1)) return XdpAction.Drop;")),
        ("Loop_constant_bound", Probe("for (uint i = 0; i < 16; i++) Total += i;")),
        ("Loop_clamped_bound", Probe("ulong limit = Total;\n        if (limit > 32) limit = 32;\n        for (ulong i = 0; i < limit; i++) Total++;")),
        ("Loop_masked_bound", Probe("ulong limit = Total & 31;\n        for (ulong i = 0; i < limit; i++) Total += 2;")),
        ("Loop_early_exit_bound", Probe("ulong limit = Total;\n        if (limit >= 20) return XdpAction.Pass;\n        for (ulong i = 0; i < limit; i++) Total++;")),
        ("Loop_byte_bound", Probe("byte limit = (byte)Total;\n        for (int i = 0; i < limit; i++) Total++;")),
        ("Loop_ternary_clamp", Probe("ulong t = Total;\n        ulong limit = t > 24 ? 24 : t;\n        for (ulong i = 0; i < limit; i++) Total++;")),
        ("Loop_while_with_break", Probe("ulong i = 0;\n        while (i < 64) { if (Total > 100) break; Total += i; i++; }")),
        ("ProbeRead_constant_size", Probe("Big b;\n        Bpf.ProbeReadUser(&b, (uint)sizeof(Big), (void*)args.Filename);\n        Total = b.A;", tracepoint: true)),
        ("ProbeRead_size_from_sizeof", Probe("ulong v;\n        Bpf.ProbeReadUser(&v, (uint)sizeof(ulong), (void*)args.Filename);\n        Total = v;", tracepoint: true)),
        ("ProbeRead_masked_size", Probe("Big b;\n        uint n = (uint)args.Mode & 31;\n        Bpf.ProbeReadUserStr((byte*)&b, n, (void*)args.Filename);\n        Total = b.B;", tracepoint: true)),
        ("Tracepoint_event_fields", Probe("Total = (ulong)args.Dfd + (ulong)args.Flags + (ulong)args.SyscallNr;", tracepoint: true)),
        ("Tracepoint_pid_from_helper", Probe("Total = Bpf.GetCurrentPidTgid() >> 32;", tracepoint: true)),
        ("Division_guarded_early_return", Probe("ulong d = Total;\n        if (d == 0) return XdpAction.Pass;\n        Total = 100 / d;")),
        ("Division_guarded_nonzero", Probe("ulong d = Total;\n        if (d != 0) Total = 100 % d;")),
        ("Division_guarded_conditional", Probe("ulong d = Total;\n        Total = d > 0 ? 50 / d : 0;")),
        ("Division_constant", Probe("Total = Total / 3 + Total % 7;")),
        ("Stack_480_bytes", Probe("Big a = default, b = default, c = default, d = default, e = default, f = default, g = default, h = default, i = default, j = default, k = default, l = default, m = default, n = default, o = default;\n        a.A = Total; b.A = a.A + 1; c.A = b.A + 1; d.A = c.A + 1; e.A = d.A + 1; f.A = e.A + 1; g.A = f.A + 1; h.A = g.A + 1; i.A = h.A + 1; j.A = i.A + 1; k.A = j.A + 1; l.A = k.A + 1; m.A = l.A + 1; n.A = m.A + 1; o.A = n.A + 1;\n        Bigs.Update(0, a); Bigs.Update(1, o); Bigs.Update(2, h); Bigs.Update(3, m); Counts.Update(1, b.A + c.A + d.A + e.A + f.A + g.A + i.A + j.A + k.A + l.A + n.A);")),
        ("Gpl_helper_under_dual_license", Probe("ulong v;\n        Bpf.ProbeReadKernel(&v, 8, (void*)args.Filename);\n        Bpf.Printk(\"v %d\", v);", tracepoint: true)),
    ];
}
