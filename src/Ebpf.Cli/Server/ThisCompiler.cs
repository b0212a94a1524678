using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Ebpf.Cli.Server;

/// <summary>The running compiler as its build server is named and started: the native tool (Native AOT, no managed
/// assembly on disk) is its own executable; the managed compiler (the SDK's copy, <c>dotnet Ebpf.Cli.dll</c>) is its
/// Ebpf.Cli.dll run by <c>dotnet</c>.</summary>
static class ThisCompiler
{
    public static bool IsNative => !RuntimeFeature.IsDynamicCodeSupported;

    /// <summary>The file whose path and timestamp name this compiler's server socket.</summary>
    public static string Path => IsNative ? Environment.ProcessPath! : ManagedAssembly();

    /// <summary>The command line that starts this compiler's build server.</summary>
    public static (string Command, string[] Arguments) ServerStart =>
        IsNative ? (Environment.ProcessPath!, ["build-server"]) : ("dotnet", [ManagedAssembly(), "build-server"]);

    [UnconditionalSuppressMessage("SingleFile", "IL3000", Justification = "Only the managed compiler asks (Native is false); its assembly is a file.")]
    static string ManagedAssembly() => typeof(ThisCompiler).Assembly.Location;
}
