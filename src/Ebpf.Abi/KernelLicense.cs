using System;

namespace Ebpf.Abi;

/// <summary>The kernel's view of a program's license string (include/linux/license.h).</summary>
public static class KernelLicense
{
    static readonly string[] GplCompatible =
    {
        "GPL", "GPL v2", "GPL and additional rights", "Dual BSD/GPL", "Dual MIT/GPL", "Dual MPL/GPL",
    };

    /// <summary>Whether the verifier treats <paramref name="license"/> as GPL-compatible (license_is_gpl_compatible:
    /// an exact, case-sensitive match), which GPL-only helpers require.</summary>
    public static bool IsGplCompatible(string? license) => license is not null && Array.IndexOf(GplCompatible, license) >= 0;
}
