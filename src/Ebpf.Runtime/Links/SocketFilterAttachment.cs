using System.Net.Sockets;

namespace Ebpf.Runtime;

/// <summary>A socket filter program (BPF_PROG_TYPE_SOCKET_FILTER) attached to one socket with
/// <c>setsockopt(SO_ATTACH_BPF)</c>: it sees each packet the socket receives and returns how many bytes to keep
/// (0 drops it). Not a BPF link: disposing detaches with <c>SO_DETACH_BPF</c>.</summary>
public sealed class SocketFilterAttachment : ILink
{
    const int SolSocket = 1, SoAttachBpf = 50, SoDetachBpf = 27;
    readonly Socket _socket;
    bool _attached;

    SocketFilterAttachment(Socket socket, string programName)
    {
        _socket = socket;
        ProgramName = programName;
        Target = $"socket {socket.LocalEndPoint?.ToString() ?? "(unbound)"} ({socket.ProtocolType})";
        _attached = true;
    }

    public string Target { get; }
    public string ProgramName { get; }

    internal static SocketFilterAttachment Attach(Program program, Socket socket)
    {
        using var prog = program.Handle.Lease();
        try
        {
            socket.SetRawSocketOption(SolSocket, SoAttachBpf, BitConverter.GetBytes(prog.Fd));
        }
        catch (SocketException e)
        {
            throw new BpfException($"attach program '{program.Name}' to a {socket.ProtocolType} socket", e.NativeErrorCode,
                program.Type == Ebpf.Object.ProgramType.SocketFilter ? null : $"SO_ATTACH_BPF takes a socket filter program, not {program.Type}");
        }
        return new SocketFilterAttachment(socket, program.Name);
    }

    public void Detach() => Dispose();

    public void Dispose()
    {
        if (!_attached) return;
        _attached = false;
        try
        {
            _socket.SetRawSocketOption(SolSocket, SoDetachBpf, stackalloc byte[4]); // the kernel reads an int it ignores
        }
        catch (ObjectDisposedException)
        {
            // The socket is closed: its filter went with it.
        }
        catch (SocketException e) when (e.NativeErrorCode == Syscalls.Errno.ENOENT)
        {
            // Someone else detached it already.
        }
    }
}
