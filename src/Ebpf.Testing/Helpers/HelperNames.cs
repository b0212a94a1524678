using System.Reflection;

namespace Ebpf.Testing.Helpers;

/// <summary>The C# name of each helper id, read from the <c>[BpfHelper]</c>/<c>[MapHelper]</c> attributes of the kernel-API
/// assembly (the one table of helper ids the compiler also reads).</summary>
public static class HelperNames
{
    static readonly Lazy<IReadOnlyDictionary<int, string>> Names = new(Build);

    /// <summary>"Bpf.GetCurrentPidTgid" for 14; "helper 9999" for an id no API method carries.</summary>
    public static string Of(int id) => Names.Value.TryGetValue(id, out var name) ? name : $"helper {id}";

    static IReadOnlyDictionary<int, string> Build()
    {
        var byId = new Dictionary<int, List<string>>();
        foreach (var type in typeof(BpfHelperAttribute).Assembly.GetTypes())
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            {
                int? id = method.GetCustomAttribute<BpfHelperAttribute>()?.Id ?? method.GetCustomAttribute<MapHelperAttribute>()?.Id;
                if (id is null) continue;
                var typeName = type.Name.Split('`')[0];
                var name = $"{typeName}.{method.Name}";
                var names = byId.TryGetValue(id.Value, out var list) ? list : byId[id.Value] = new List<string>();
                if (!names.Contains(name)) names.Add(name);
            }
        return byId.ToDictionary(e => e.Key, e =>
        {
            var bpf = e.Value.Where(n => n.StartsWith("Bpf.", StringComparison.Ordinal)).ToList();
            return string.Join(", ", (bpf.Count > 0 ? bpf : e.Value).Take(3));
        });
    }
}
