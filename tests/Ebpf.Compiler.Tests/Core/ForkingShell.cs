using System.Diagnostics;
using Ebpf.Object;
using Ebpf.Runtime;

namespace Ebpf.Compiler.Tests.Core;

/// <summary>A fork the test controls: a shell of its own (so that no other fork of this multi-threaded, test-running
/// process can be the one a probe records) that waits for a line, forks <c>/bin/true</c> once and prints the child's pid.</summary>
static class ForkingShell
{
    /// <summary>Starts the shell (under <paramref name="launcher"/>, e.g. <c>chrt --reset-on-fork --other 0</c>), sets the
    /// probe's <c>TargetPid</c> global to it, loads <paramref name="spec"/>, and lets the shell fork while
    /// <paramref name="program"/> is attached. Returns the loaded collection (the caller disposes it) and the child's pid.</summary>
    public static (Collection Collection, int Child) LoadAndFork(ObjectSpec spec, string program, params string[] launcher)
    {
        string[] command = [.. launcher, "/bin/sh", "-c", "read go; /bin/true & echo $!; wait"];
        var start = new ProcessStartInfo(command[0]) { RedirectStandardInput = true, RedirectStandardOutput = true };
        foreach (var a in command[1..]) start.ArgumentList.Add(a);
        using var shell = Process.Start(start)!;
        spec.SetVariable("TargetPid", shell.Id);
        var collection = Collection.Load(spec);
        try
        {
            using (collection.Programs[program].Attach())
            {
                shell.StandardInput.WriteLine("go");
                shell.StandardInput.Flush();
                int child = int.Parse(shell.StandardOutput.ReadLine()!.Trim());
                shell.WaitForExit();
                return (collection, child);
            }
        }
        catch
        {
            collection.Dispose();
            throw;
        }
    }
}
