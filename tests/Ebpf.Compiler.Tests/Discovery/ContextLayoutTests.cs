using System.Reflection;
using System.Text;
using Ebpf.Btf;
using Ebpf.Rules.Model;
using Ebpf.TestSupport;

namespace Ebpf.Compiler.Tests.Discovery;

/// <summary>Every <c>[ContextField]</c> of the socket, cgroup, XDP and skb contexts sits where the kernel's own
/// struct has the field of that name (its snake_case), with a load size that fits the field: read from
/// /sys/kernel/btf/vmlinux, so a wrong offset in the API fails here and not as a silent wrong read.</summary>
public class ContextLayoutTests
{
    static readonly ContextKind[] Checked =
    {
        ContextKind.Xdp, ContextKind.SkBuff, ContextKind.Sock, ContextKind.SockAddr, ContextKind.SockOps, ContextKind.SkMsg,
        ContextKind.SkLookup, ContextKind.Sysctl, ContextKind.Sockopt, ContextKind.CgroupDevice, ContextKind.Netfilter,
    };

    [SkippableFact]
    public void Context_fields_match_the_kernel_structs_in_vmlinux_BTF()
    {
        Skip.IfNot(File.Exists("/sys/kernel/btf/vmlinux"), "no kernel BTF");
        var btf = BtfSpec.LoadKernel();
        var failures = new List<string>();
        int fields = 0;
        foreach (var context in Checked)
        {
            var typeName = ProgramKinds.ContextTypeName(context)!;
            var type = typeof(Ebpf.XdpContext).Assembly.GetType(typeName) ?? throw new InvalidOperationException($"{typeName} missing");
            var kernelName = ProgramKinds.KernelContextStruct(context);
            var kernel = btf.FindType<BtfStruct>(kernelName);
            if (kernel is null) { failures.Add($"{kernelName}: not in vmlinux BTF"); continue; }
            foreach (var property in type.GetProperties())
            {
                if (property.GetCustomAttribute<ContextFieldAttribute>() is not { } field) continue;
                fields++;
                var (member, index) = MemberName(property.Name);
                if (FindMember(kernel, member, 0) is not { } found) { failures.Add($"{kernelName}.{member} ({typeName}.{property.Name}): no such field"); continue; }
                var (offset, size) = found;
                if (index is int i) { size /= ArrayLength(kernel, member); offset += i * size; }
                if (field.Offset != offset || field.Size > size)
                    failures.Add($"{typeName}.{property.Name}: [ContextField({field.Offset}, {field.Size})], kernel {kernelName}.{member} at {offset}, {size} bytes");
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(fields > 60, $"only {fields} fields checked");
    }

    /// <summary><c>RemoteIp4</c> -&gt; <c>remote_ip4</c>; <c>Cb3</c> -&gt; <c>cb</c>[3].</summary>
    static (string Name, int? Index) MemberName(string property)
    {
        if (property.Length == 3 && property.StartsWith("Cb", StringComparison.Ordinal)) return ("cb", property[2] - '0');
        var sb = new StringBuilder();
        for (int i = 0; i < property.Length; i++)
        {
            if (char.IsUpper(property[i]) && i > 0) sb.Append('_');
            sb.Append(char.ToLowerInvariant(property[i]));
        }
        return (sb.ToString(), null);
    }

    /// <summary>Byte offset and size of a member, looking into anonymous unions and structs as C does.</summary>
    static (int Offset, int Size)? FindMember(BtfStruct s, string name, int baseOffset)
    {
        foreach (var m in s.Members)
        {
            int offset = baseOffset + (int)(m.BitOffset / 8);
            if (m.Name == name) return (offset, (int)BtfLayout.SizeOf(m.Type));
            if (string.IsNullOrEmpty(m.Name) && BtfLayout.SkipQualifiers(m.Type) is BtfStruct inner && FindMember(inner, name, offset) is { } found)
                return found;
        }
        return null;
    }

    static int ArrayLength(BtfStruct s, string name)
        => s.Members.First(m => m.Name == name).Type is BtfArray a ? (int)a.Count : 1;
}
