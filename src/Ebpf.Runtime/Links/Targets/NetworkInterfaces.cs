using System.Net.NetworkInformation;
using Ebpf.Runtime.Syscalls;

namespace Ebpf.Runtime;

/// <summary>Interface names and indexes (if_nametoindex, /sys/class/net).</summary>
public static class NetworkInterfaces
{
    /// <summary>The index of interface <paramref name="name"/>; a clear error when there is none.</summary>
    public static int IndexOf(string name)
    {
        uint index = Libc.IfNameToIndex(name);
        if (index == 0)
        {
            var known = NetworkInterface.GetAllNetworkInterfaces().Select(i => i.Name).Order().ToList();
            throw new ArgumentException($"no network interface named '{name}' in this network namespace; there are: {string.Join(", ", known)}", nameof(name));
        }
        return (int)index;
    }

    /// <summary>The name of interface <paramref name="ifindex"/>, or <c>ifindex N</c> when unknown.</summary>
    public static string NameOf(int ifindex)
    {
        try
        {
            foreach (var dir in Directory.EnumerateDirectories("/sys/class/net"))
            {
                var indexFile = Path.Combine(dir, "ifindex");
                if (File.Exists(indexFile) && int.TryParse(File.ReadAllText(indexFile).Trim(), out int i) && i == ifindex)
                    return Path.GetFileName(dir);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return $"ifindex {ifindex}";
    }
}
