using System.Net;
using System.Net.Sockets;

namespace P2PActors.Node.Hosting;

/// <summary>
/// One node per remoting port. Akka's transport binds with address reuse, which .NET on Linux turns into
/// SO_REUSEPORT as well: a second node started on a port in use would bind it too, and the kernel would split the
/// incoming connections between two nodes answering for one address. Turning reuse off in Akka is no cure (a node
/// restarted at once could not bind past its old connections in TIME_WAIT), so the node checks before it starts.
/// </summary>
public static class RemotingPort
{
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    /// <summary>
    /// Whether another socket listens on <paramref name="host"/>:<paramref name="port"/>. The probe sets SO_REUSEADDR
    /// alone, so leftovers in TIME_WAIT do not count and only a live listener does. Port 0 (any free port), a host that
    /// does not resolve here, or a platform without those socket options: false, and Akka's own bind decides.
    /// </summary>
    public static bool IsInUse(string host, int port)
    {
        if (port == 0 || !OperatingSystem.IsLinux())
            return false;
        IPAddress address;
        try
        {
            address = IPAddress.TryParse(host, out var parsed) ? parsed : Dns.GetHostAddresses(host).First();
        }
        catch (Exception e) when (e is SocketException or InvalidOperationException or ArgumentException)
        {
            return false;
        }
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        try
        {
            probe.Bind(new IPEndPoint(address, port));
            return false;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return true;
        }
        catch (SocketException)
        {
            return false; // not an address of this machine, no permission: Akka's bind reports it
        }
    }
}
