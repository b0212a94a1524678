using System.Reflection;
using System.Runtime.InteropServices;

namespace Ebpf.Tests.Helpers;

public unsafe class CoreTests
{
    [StructLayout(LayoutKind.Sequential)]
    struct task_struct
    {
        public int pid;
        public int tgid;
        public ulong start_time;
    }

    enum bpf_func_id { BPF_FUNC_unspec = 0, BPF_FUNC_loop = 181 }

    [Fact]
    public void Managed_code_answers_for_the_types_it_was_compiled_with()
    {
        var task = new task_struct();
        task_struct* p = &task;
        Assert.True(Bpf.CoreFieldExists(in p->start_time));
        Assert.Equal(8u, Bpf.CoreFieldSize(in p->start_time));
        Assert.Equal(8u, Bpf.CoreFieldOffset(in *p, in p->start_time));
        Assert.True(Bpf.CoreTypeExists<task_struct>());
        Assert.Equal(16u, Bpf.CoreTypeSize<task_struct>());
        Assert.True(Bpf.CoreEnumValueExists(bpf_func_id.BPF_FUNC_loop));
        Assert.False(Bpf.CoreEnumValueExists((bpf_func_id)5));
        Assert.Equal(181, Bpf.CoreEnumValue(bpf_func_id.BPF_FUNC_loop));
    }

    [Fact]
    public void Each_query_names_its_relocation_kind()
    {
        var kinds = typeof(Bpf).GetMethods().Select(m => m.GetCustomAttribute<CoreRelocationAttribute>()?.Kind).OfType<CoreRelocationKind>().ToHashSet();
        Assert.Superset(new HashSet<CoreRelocationKind>
        {
            CoreRelocationKind.FieldExists, CoreRelocationKind.FieldByteSize, CoreRelocationKind.FieldByteOffset,
            CoreRelocationKind.TypeExists, CoreRelocationKind.TypeSize, CoreRelocationKind.TypeMatches,
            CoreRelocationKind.EnumValueExists, CoreRelocationKind.EnumValueValue,
        }, kinds);
    }
}
