using System;
using System.Globalization;

namespace Ebpf.Abi;

/// <summary>A Linux kernel release as MAJOR.MINOR ("6.1"): the unit in which BPF features appear.</summary>
/// <remarks>Patch levels and distribution suffixes ("6.12.118+deb12-cloud-amd64") are ignored: features
/// arrive in a MAJOR.MINOR release and stable updates do not add them.</remarks>
public readonly struct KernelVersion : IEquatable<KernelVersion>, IComparable<KernelVersion>
{
    public KernelVersion(int major, int minor)
    {
        if (major < 0 || minor < 0) throw new ArgumentOutOfRangeException(major < 0 ? nameof(major) : nameof(minor));
        Major = major;
        Minor = minor;
    }

    public int Major { get; }
    public int Minor { get; }

    /// <summary>The kernel this machine's table was last probed on; the newest version the table knows.</summary>
    public static KernelVersion Newest => new(6, 18);

    /// <summary>Parses "6.1", "6.12.118" or a release string such as "6.1.0-57-cloud-amd64".</summary>
    public static KernelVersion Parse(string text) =>
        TryParse(text, out var version) ? version : throw new FormatException($"'{text}' is not a kernel version (expected MAJOR.MINOR, e.g. 6.1)");

    public static bool TryParse(string? text, out KernelVersion version)
    {
        version = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var parts = text!.Trim().Split('.');
        if (parts.Length < 2) return false;
        if (!int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int major)) return false;
        int end = 0;
        while (end < parts[1].Length && char.IsDigit(parts[1][end])) end++;
        if (end == 0 || !int.TryParse(parts[1].Substring(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out int minor)) return false;
        version = new KernelVersion(major, minor);
        return true;
    }

    public int CompareTo(KernelVersion other) => Major != other.Major ? Major.CompareTo(other.Major) : Minor.CompareTo(other.Minor);
    public bool Equals(KernelVersion other) => Major == other.Major && Minor == other.Minor;
    public override bool Equals(object? obj) => obj is KernelVersion other && Equals(other);
    public override int GetHashCode() => Major * 1000 + Minor;
    public override string ToString() => Major.ToString(CultureInfo.InvariantCulture) + "." + Minor.ToString(CultureInfo.InvariantCulture);

    public static bool operator ==(KernelVersion a, KernelVersion b) => a.Equals(b);
    public static bool operator !=(KernelVersion a, KernelVersion b) => !a.Equals(b);
    public static bool operator <(KernelVersion a, KernelVersion b) => a.CompareTo(b) < 0;
    public static bool operator >(KernelVersion a, KernelVersion b) => a.CompareTo(b) > 0;
    public static bool operator <=(KernelVersion a, KernelVersion b) => a.CompareTo(b) <= 0;
    public static bool operator >=(KernelVersion a, KernelVersion b) => a.CompareTo(b) >= 0;
}
