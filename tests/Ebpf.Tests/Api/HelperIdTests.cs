using System.Reflection;
using System.Text.RegularExpressions;

namespace Ebpf.Tests.Api;

/// <summary>The helper ids the compiler reads from [BpfHelper]/[MapHelper] against libbpf's
/// bpf_helper_defs.h, the authoritative list of enum bpf_func_id.</summary>
public partial class HelperIdTests
{
    const string HelperDefs = "/usr/include/bpf/bpf_helper_defs.h";

    static readonly Lazy<Dictionary<int, string>> KernelHelpers = new(() =>
    {
        if (!File.Exists(HelperDefs))
            throw new InvalidOperationException($"{HelperDefs} is missing: install libbpf-dev (the README's test command does).");
        var helpers = new Dictionary<int, string>();
        foreach (Match m in HelperDefinition().Matches(File.ReadAllText(HelperDefs)))
            helpers[int.Parse(m.Groups[2].Value)] = m.Groups[1].Value;
        return helpers;
    });

    [GeneratedRegex(@"\(\*bpf_(\w+)\)\([^;]*\) = \(void \*\) (\d+);")]
    private static partial Regex HelperDefinition();

    /// <summary>bpf_get_current_pid_tgid → GetCurrentPidTgid; l3 → L3.</summary>
    static string PascalCase(string kernelName) =>
        string.Concat(kernelName.Split('_').Select(part => char.ToUpperInvariant(part[0]) + part[1..]));

    /// <summary>Names language.md fixes differently from the mechanical rule.</summary>
    static readonly Dictionary<string, string> Renamed = new() { ["Printk"] = "trace_printk" };

    static IEnumerable<MethodInfo> BpfMethods =>
        typeof(Bpf).GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => !m.IsSpecialName);

    [Fact]
    public void Every_Bpf_method_is_a_helper_named_after_its_kernel_id()
    {
        Assert.True(KernelHelpers.Value.Count > 200, "bpf_helper_defs.h parsed to too few helpers");
        var problems = new List<string>();
        foreach (var method in BpfMethods)
        {
            var attribute = method.GetCustomAttribute<BpfHelperAttribute>();
            if (attribute is null)
            {
                if (method.GetCustomAttribute<ManagedOnlyAttribute>() is null && method.GetCustomAttribute<CoreRelocationAttribute>() is null)
                    problems.Add($"{method.Name}: neither [BpfHelper] nor [CoreRelocation]");
                continue;
            }
            if (!KernelHelpers.Value.TryGetValue(attribute.Id, out var kernelName))
            {
                problems.Add($"{method.Name}: id {attribute.Id} is not a kernel helper");
                continue;
            }
            string expected = Renamed.TryGetValue(method.Name, out var renamed) ? renamed : kernelName;
            if (expected != kernelName || PascalCase(kernelName) != method.Name && !Renamed.ContainsKey(method.Name))
                problems.Add($"{method.Name}: id {attribute.Id} is bpf_{kernelName}");
        }
        Assert.Empty(problems);
    }

    [Fact]
    public void At_least_80_distinct_helpers_are_covered()
    {
        var ids = BpfMethods.Select(m => m.GetCustomAttribute<BpfHelperAttribute>()?.Id).OfType<int>().Distinct().ToList();
        Assert.True(ids.Count >= 80, $"only {ids.Count} helpers");
    }

    public static TheoryData<string, string> MapOperations => new()
    {
        { nameof(HashMap<int, int>.Lookup), "map_lookup_elem" },
        { nameof(HashMap<int, int>.TryGetValue), "map_lookup_elem" },
        // Socket maps update from sockops through their own helpers; local storage deletes through its own.
        { nameof(HashMap<int, int>.Update), "map_update_elem|sock_map_update|sock_hash_update" },
        { nameof(HashMap<int, int>.Delete), "map_delete_elem|sk_storage_delete|inode_storage_delete|task_storage_delete" },
        { nameof(PerCpuArray<int>.LookupOnCpu), "map_lookup_percpu_elem" },
        { nameof(QueueMap<int>.Push), "map_push_elem" },
        { nameof(QueueMap<int>.Pop), "map_pop_elem" },
        { nameof(QueueMap<int>.Peek), "map_peek_elem" },
        { nameof(RingBuffer.Reserve), "ringbuf_reserve" },
        { nameof(RingBuffer.Submit), "ringbuf_submit" },
        { nameof(RingBuffer.Discard), "ringbuf_discard" },
        { nameof(RingBuffer.Output), "ringbuf_output|perf_event_output" },
        { nameof(RingBuffer.Query), "ringbuf_query" },
        { nameof(UserRingBuffer.Drain), "user_ringbuf_drain" },
    };

    [Theory]
    [MemberData(nameof(MapOperations))]
    public void Map_methods_name_their_kernel_helper(string method, string kernelNames)
    {
        var mapTypes = typeof(BpfMap).Assembly.GetTypes().Where(t => t.GetCustomAttribute<BpfMapAttribute>() is not null);
        // Inherited ones too (queue and stack share PushPopMap's), but not object's.
        var methods = mapTypes.SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.Name == method && typeof(BpfMap).IsAssignableFrom(m.DeclaringType)).Distinct().ToList();
        Assert.NotEmpty(methods);
        foreach (var m in methods)
        {
            var attribute = m.GetCustomAttribute<MapHelperAttribute>();
            Assert.True(attribute is not null, $"{m.DeclaringType!.Name}.{m.Name} has no [MapHelper]");
            Assert.Contains(KernelHelpers.Value[attribute.Id], kernelNames.Split('|'));
        }
    }

    [Fact]
    public void Every_public_member_of_a_map_is_kernel_side_or_managed_only()
    {
        var mapTypes = typeof(BpfMap).Assembly.GetTypes().Where(t => t.GetCustomAttribute<BpfMapAttribute>() is not null);
        var problems = new List<string>();
        foreach (var type in mapTypes)
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                if (member is MethodInfo { IsSpecialName: true } or ConstructorInfo) continue;
                bool kernel = member.GetCustomAttribute<MapHelperAttribute>() is not null;
                bool managed = member.GetCustomAttribute<ManagedOnlyAttribute>() is not null
                    || member is MethodInfo { Name: "GetEnumerator" } or MethodInfo { IsPrivate: true };
                if (!kernel && !managed && member.DeclaringType == type) problems.Add($"{type.Name}.{member.Name}");
            }
        Assert.Empty(problems);
    }

    [Fact]
    public void Every_map_type_of_language_md_is_a_kernel_map()
    {
        var expected = new Dictionary<Type, MapType>
        {
            [typeof(HashMap<,>)] = MapType.Hash,
            [typeof(PerCpuHashMap<,>)] = MapType.PercpuHash,
            [typeof(LruHashMap<,>)] = MapType.LruHash,
            [typeof(LruPerCpuHashMap<,>)] = MapType.LruPercpuHash,
            [typeof(ArrayMap<>)] = MapType.Array,
            [typeof(PerCpuArray<>)] = MapType.PercpuArray,
            [typeof(RingBuffer)] = MapType.Ringbuf,
            [typeof(PerfEventArray)] = MapType.PerfEventArray,
            [typeof(ProgramArray)] = MapType.ProgArray,
            [typeof(StackTraceMap)] = MapType.StackTrace,
            [typeof(QueueMap<>)] = MapType.Queue,
            [typeof(StackMap<>)] = MapType.Stack,
            [typeof(LpmTrie<,>)] = MapType.LpmTrie,
        };
        foreach (var (type, mapType) in expected)
            Assert.Equal(mapType, type.GetCustomAttribute<BpfMapAttribute>()!.Type);
    }
}
