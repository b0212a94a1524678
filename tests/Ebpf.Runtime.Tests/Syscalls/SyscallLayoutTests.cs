using System.Runtime.InteropServices;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime.Tests.Syscalls;

/// <summary>The attr structs against the kernel headers: a C program compiled here prints offsetof/sizeof from
/// linux/bpf.h and linux/perf_event.h, and every field we declare must sit at the same offset.</summary>
public class SyscallLayoutTests
{
    // (C expression, our struct, our field). Fields newer than the installed 6.1 headers (log_true_size, tcx) are
    // checked by the kernel tests that use them.
    static readonly (string C, Type Struct, string Field)[] Fields =
    [
        ("offsetof(union bpf_attr, map_type)", typeof(MapCreateAttr), nameof(MapCreateAttr.MapType)),
        ("offsetof(union bpf_attr, key_size)", typeof(MapCreateAttr), nameof(MapCreateAttr.KeySize)),
        ("offsetof(union bpf_attr, value_size)", typeof(MapCreateAttr), nameof(MapCreateAttr.ValueSize)),
        ("offsetof(union bpf_attr, max_entries)", typeof(MapCreateAttr), nameof(MapCreateAttr.MaxEntries)),
        ("offsetof(union bpf_attr, map_flags)", typeof(MapCreateAttr), nameof(MapCreateAttr.MapFlags)),
        ("offsetof(union bpf_attr, map_name)", typeof(MapCreateAttr), nameof(MapCreateAttr.MapName)),
        ("offsetof(union bpf_attr, btf_fd)", typeof(MapCreateAttr), nameof(MapCreateAttr.BtfFd)),
        ("offsetof(union bpf_attr, btf_key_type_id)", typeof(MapCreateAttr), nameof(MapCreateAttr.BtfKeyTypeId)),
        ("offsetof(union bpf_attr, btf_value_type_id)", typeof(MapCreateAttr), nameof(MapCreateAttr.BtfValueTypeId)),
        ("offsetof(union bpf_attr, map_extra)", typeof(MapCreateAttr), nameof(MapCreateAttr.MapExtra)),
        ("offsetof(union bpf_attr, map_fd)", typeof(MapElemAttr), nameof(MapElemAttr.MapFd)),
        ("offsetof(union bpf_attr, key)", typeof(MapElemAttr), nameof(MapElemAttr.Key)),
        ("offsetof(union bpf_attr, value)", typeof(MapElemAttr), nameof(MapElemAttr.Value)),
        ("offsetof(union bpf_attr, flags)", typeof(MapElemAttr), nameof(MapElemAttr.Flags)),
        ("offsetof(union bpf_attr, prog_type)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.ProgType)),
        ("offsetof(union bpf_attr, insn_cnt)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.InsnCnt)),
        ("offsetof(union bpf_attr, insns)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.Insns)),
        ("offsetof(union bpf_attr, license)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.License)),
        ("offsetof(union bpf_attr, log_level)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.LogLevel)),
        ("offsetof(union bpf_attr, log_size)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.LogSize)),
        ("offsetof(union bpf_attr, log_buf)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.LogBuf)),
        ("offsetof(union bpf_attr, kern_version)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.KernVersion)),
        ("offsetof(union bpf_attr, prog_flags)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.ProgFlags)),
        ("offsetof(union bpf_attr, prog_name)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.ProgName)),
        ("offsetof(union bpf_attr, expected_attach_type)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.ExpectedAttachType)),
        ("offsetof(union bpf_attr, prog_btf_fd)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.ProgBtfFd)),
        ("offsetof(union bpf_attr, func_info_rec_size)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.FuncInfoRecSize)),
        ("offsetof(union bpf_attr, func_info)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.FuncInfo)),
        ("offsetof(union bpf_attr, func_info_cnt)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.FuncInfoCnt)),
        ("offsetof(union bpf_attr, line_info_rec_size)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.LineInfoRecSize)),
        ("offsetof(union bpf_attr, line_info)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.LineInfo)),
        ("offsetof(union bpf_attr, line_info_cnt)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.LineInfoCnt)),
        ("offsetof(union bpf_attr, attach_btf_id)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.AttachBtfId)),
        ("offsetof(union bpf_attr, attach_prog_fd)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.AttachProgFd)),
        ("offsetof(union bpf_attr, core_relo_cnt)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.CoreReloCnt)),
        ("offsetof(union bpf_attr, fd_array)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.FdArray)),
        ("offsetof(union bpf_attr, core_relos)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.CoreRelos)),
        ("offsetof(union bpf_attr, core_relo_rec_size)", typeof(ProgLoadAttr), nameof(ProgLoadAttr.CoreReloRecSize)),
        ("offsetof(union bpf_attr, btf)", typeof(BtfLoadAttr), nameof(BtfLoadAttr.Btf)),
        ("offsetof(union bpf_attr, btf_log_buf)", typeof(BtfLoadAttr), nameof(BtfLoadAttr.LogBuf)),
        ("offsetof(union bpf_attr, btf_size)", typeof(BtfLoadAttr), nameof(BtfLoadAttr.BtfSize)),
        ("offsetof(union bpf_attr, btf_log_size)", typeof(BtfLoadAttr), nameof(BtfLoadAttr.LogSize)),
        ("offsetof(union bpf_attr, btf_log_level)", typeof(BtfLoadAttr), nameof(BtfLoadAttr.LogLevel)),
        ("offsetof(union bpf_attr, pathname)", typeof(ObjPinAttr), nameof(ObjPinAttr.PathName)),
        ("offsetof(union bpf_attr, bpf_fd)", typeof(ObjPinAttr), nameof(ObjPinAttr.BpfFd)),
        ("offsetof(union bpf_attr, file_flags)", typeof(ObjPinAttr), nameof(ObjPinAttr.FileFlags)),
        ("offsetof(union bpf_attr, info.bpf_fd)", typeof(ObjInfoAttr), nameof(ObjInfoAttr.BpfFd)),
        ("offsetof(union bpf_attr, info.info_len)", typeof(ObjInfoAttr), nameof(ObjInfoAttr.InfoLen)),
        ("offsetof(union bpf_attr, info.info)", typeof(ObjInfoAttr), nameof(ObjInfoAttr.Info)),
        ("offsetof(union bpf_attr, link_create.prog_fd)", typeof(LinkCreateAttr), nameof(LinkCreateAttr.ProgFd)),
        ("offsetof(union bpf_attr, link_create.target_ifindex)", typeof(LinkCreateAttr), nameof(LinkCreateAttr.Target)),
        ("offsetof(union bpf_attr, link_create.attach_type)", typeof(LinkCreateAttr), nameof(LinkCreateAttr.AttachType)),
        ("offsetof(union bpf_attr, link_create.flags)", typeof(LinkCreateAttr), nameof(LinkCreateAttr.Flags)),
        ("offsetof(union bpf_attr, link_create.perf_event.bpf_cookie)", typeof(LinkCreateAttr), nameof(LinkCreateAttr.PerfEventBpfCookie)),
        ("offsetof(union bpf_attr, link_detach.link_fd)", typeof(LinkDetachAttr), nameof(LinkDetachAttr.LinkFd)),
        ("offsetof(union bpf_attr, raw_tracepoint.name)", typeof(RawTracepointOpenAttr), nameof(RawTracepointOpenAttr.Name)),
        ("offsetof(union bpf_attr, raw_tracepoint.prog_fd)", typeof(RawTracepointOpenAttr), nameof(RawTracepointOpenAttr.ProgFd)),
        ("offsetof(union bpf_attr, test.prog_fd)", typeof(TestRunAttr), nameof(TestRunAttr.ProgFd)),
        ("offsetof(union bpf_attr, test.retval)", typeof(TestRunAttr), nameof(TestRunAttr.Retval)),
        ("offsetof(union bpf_attr, test.data_size_in)", typeof(TestRunAttr), nameof(TestRunAttr.DataSizeIn)),
        ("offsetof(union bpf_attr, test.data_size_out)", typeof(TestRunAttr), nameof(TestRunAttr.DataSizeOut)),
        ("offsetof(union bpf_attr, test.data_in)", typeof(TestRunAttr), nameof(TestRunAttr.DataIn)),
        ("offsetof(union bpf_attr, test.data_out)", typeof(TestRunAttr), nameof(TestRunAttr.DataOut)),
        ("offsetof(union bpf_attr, test.repeat)", typeof(TestRunAttr), nameof(TestRunAttr.Repeat)),
        ("offsetof(union bpf_attr, test.duration)", typeof(TestRunAttr), nameof(TestRunAttr.Duration)),
        ("offsetof(union bpf_attr, test.ctx_size_in)", typeof(TestRunAttr), nameof(TestRunAttr.CtxSizeIn)),
        ("offsetof(union bpf_attr, test.ctx_size_out)", typeof(TestRunAttr), nameof(TestRunAttr.CtxSizeOut)),
        ("offsetof(union bpf_attr, test.ctx_in)", typeof(TestRunAttr), nameof(TestRunAttr.CtxIn)),
        ("offsetof(union bpf_attr, test.ctx_out)", typeof(TestRunAttr), nameof(TestRunAttr.CtxOut)),
        ("offsetof(union bpf_attr, test.flags)", typeof(TestRunAttr), nameof(TestRunAttr.Flags)),
        ("offsetof(union bpf_attr, test.cpu)", typeof(TestRunAttr), nameof(TestRunAttr.Cpu)),
        ("offsetof(union bpf_attr, test.batch_size)", typeof(TestRunAttr), nameof(TestRunAttr.BatchSize)),
        ("offsetof(struct bpf_map_info, type)", typeof(KernelMapInfo), nameof(KernelMapInfo.Type)),
        ("offsetof(struct bpf_map_info, id)", typeof(KernelMapInfo), nameof(KernelMapInfo.Id)),
        ("offsetof(struct bpf_map_info, key_size)", typeof(KernelMapInfo), nameof(KernelMapInfo.KeySize)),
        ("offsetof(struct bpf_map_info, value_size)", typeof(KernelMapInfo), nameof(KernelMapInfo.ValueSize)),
        ("offsetof(struct bpf_map_info, max_entries)", typeof(KernelMapInfo), nameof(KernelMapInfo.MaxEntries)),
        ("offsetof(struct bpf_map_info, map_flags)", typeof(KernelMapInfo), nameof(KernelMapInfo.MapFlags)),
        ("offsetof(struct bpf_map_info, name)", typeof(KernelMapInfo), nameof(KernelMapInfo.Name)),
        ("offsetof(struct bpf_map_info, btf_id)", typeof(KernelMapInfo), nameof(KernelMapInfo.BtfId)),
        ("offsetof(struct bpf_map_info, btf_key_type_id)", typeof(KernelMapInfo), nameof(KernelMapInfo.BtfKeyTypeId)),
        ("offsetof(struct bpf_map_info, btf_value_type_id)", typeof(KernelMapInfo), nameof(KernelMapInfo.BtfValueTypeId)),
        ("offsetof(struct bpf_prog_info, type)", typeof(KernelProgInfo), nameof(KernelProgInfo.Type)),
        ("offsetof(struct bpf_prog_info, id)", typeof(KernelProgInfo), nameof(KernelProgInfo.Id)),
        ("offsetof(struct bpf_prog_info, tag)", typeof(KernelProgInfo), nameof(KernelProgInfo.Tag)),
        ("offsetof(struct bpf_prog_info, jited_prog_len)", typeof(KernelProgInfo), nameof(KernelProgInfo.JitedProgLen)),
        ("offsetof(struct bpf_prog_info, xlated_prog_len)", typeof(KernelProgInfo), nameof(KernelProgInfo.XlatedProgLen)),
        ("offsetof(struct bpf_prog_info, name)", typeof(KernelProgInfo), nameof(KernelProgInfo.Name)),
        ("offsetof(struct bpf_prog_info, nr_func_info)", typeof(KernelProgInfo), nameof(KernelProgInfo.NrFuncInfo)),
        ("offsetof(struct bpf_prog_info, nr_line_info)", typeof(KernelProgInfo), nameof(KernelProgInfo.NrLineInfo)),
        ("offsetof(struct bpf_link_info, type)", typeof(KernelLinkInfo), nameof(KernelLinkInfo.Type)),
        ("offsetof(struct bpf_link_info, id)", typeof(KernelLinkInfo), nameof(KernelLinkInfo.Id)),
        ("offsetof(struct bpf_link_info, prog_id)", typeof(KernelLinkInfo), nameof(KernelLinkInfo.ProgId)),
        ("offsetof(struct bpf_link_info, xdp.ifindex)", typeof(KernelLinkInfo), nameof(KernelLinkInfo.Ifindex)),
        ("offsetof(struct perf_event_attr, type)", typeof(PerfEventAttr), nameof(PerfEventAttr.Type)),
        ("offsetof(struct perf_event_attr, size)", typeof(PerfEventAttr), nameof(PerfEventAttr.Size)),
        ("offsetof(struct perf_event_attr, config)", typeof(PerfEventAttr), nameof(PerfEventAttr.Config)),
        ("offsetof(struct perf_event_attr, sample_period)", typeof(PerfEventAttr), nameof(PerfEventAttr.SamplePeriod)),
        ("offsetof(struct perf_event_attr, sample_type)", typeof(PerfEventAttr), nameof(PerfEventAttr.SampleType)),
        ("offsetof(struct perf_event_attr, read_format)", typeof(PerfEventAttr), nameof(PerfEventAttr.ReadFormat)),
        ("offsetof(struct perf_event_attr, wakeup_events)", typeof(PerfEventAttr), nameof(PerfEventAttr.WakeupEvents)),
        ("offsetof(struct perf_event_attr, config1)", typeof(PerfEventAttr), nameof(PerfEventAttr.Config1)),
        ("offsetof(struct perf_event_attr, config2)", typeof(PerfEventAttr), nameof(PerfEventAttr.Config2)),
    ];

    static readonly (string C, Type Struct)[] Sizes =
    [
        ("sizeof(struct perf_event_attr)", typeof(PerfEventAttr)),
        ("sizeof(struct bpf_func_info)", typeof(KernelFuncInfo)),
        ("sizeof(struct bpf_line_info)", typeof(KernelLineInfo)),
        ("sizeof(struct bpf_map_info)", typeof(KernelMapInfo)),
        ("sizeof(struct bpf_prog_info)", typeof(KernelProgInfo)),
        ("sizeof(struct bpf_link_info)", typeof(KernelLinkInfo)),
    ];

    [Fact]
    public void Attr_structs_match_the_kernel_headers()
    {
        var dir = Directory.CreateTempSubdirectory("ebpf-layout-");
        try
        {
            var source = Path.Combine(dir.FullName, "layout.c");
            var lines = Fields.Select(f => f.C).Concat(Sizes.Select(s => s.C)).Select(c => $"    printf(\"%zu\\n\", (size_t)({c}));");
            File.WriteAllText(source, "#include <stdio.h>\n#include <stddef.h>\n#include <linux/bpf.h>\n#include <linux/perf_event.h>\nint main(void)\n{\n"
                + string.Join("\n", lines) + "\n    return 0;\n}\n");
            var exe = Path.Combine(dir.FullName, "layout");
            var compile = ExternalTool.Run(ExternalTool.Require("clang"), "-o", exe, source);
            Assert.True(compile.ExitCode == 0, compile.Combined);
            var run = ExternalTool.Run(exe);
            Assert.True(run.ExitCode == 0, run.Combined);
            var values = run.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(long.Parse).ToArray();

            var mismatches = new List<string>();
            for (int i = 0; i < Fields.Length; i++)
            {
                long ours = Marshal.OffsetOf(Fields[i].Struct, Fields[i].Field).ToInt64();
                if (ours != values[i]) mismatches.Add($"{Fields[i].C} = {values[i]}, {Fields[i].Struct.Name}.{Fields[i].Field} at {ours}");
            }
            for (int i = 0; i < Sizes.Length; i++)
            {
                long ours = Marshal.SizeOf(Sizes[i].Struct);
                long theirs = values[Fields.Length + i];
                // Info structs may be longer in newer headers than ours (the kernel copies what fits); never shorter.
                bool infoStruct = Sizes[i].Struct.Name.EndsWith("Info", StringComparison.Ordinal) && Sizes[i].C.Contains("_info)") && !Sizes[i].C.Contains("func_info") && !Sizes[i].C.Contains("line_info");
                if (infoStruct ? ours > theirs : ours != theirs) mismatches.Add($"{Sizes[i].C} = {theirs}, {Sizes[i].Struct.Name} is {ours}");
            }
            Assert.Empty(mismatches);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
