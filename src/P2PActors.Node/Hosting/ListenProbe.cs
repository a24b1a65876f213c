using System.Net;
using System.Net.Sockets;

namespace P2PActors.Node.Hosting;

/// <summary>What a probe bind found for an address the node is about to listen on.</summary>
public enum ListenAddress
{
    /// <summary>Free, or the probe cannot tell (a host that does not resolve, another platform): the real bind decides.</summary>
    Free,

    /// <summary>Another socket listens there.</summary>
    InUse,

    /// <summary>The address is not one of this machine's, so nothing can listen on it here.</summary>
    NotLocal,

    /// <summary>A host name that does not resolve here, so there is no address to listen on.</summary>
    Unresolvable,
}

/// <summary>
/// Checks the node's listening addresses before it starts, so a mistake there is one line naming the setting (exit 2)
/// rather than Akka's bind traces or a node that starts its cluster and stops again.
/// One node per remoting port, too: Akka's transport binds with address reuse, which .NET on Linux turns into
/// SO_REUSEPORT as well: a second node started on a port in use would bind it too, and the kernel would split the
/// incoming connections between two nodes answering for one address. Turning reuse off in Akka is no cure (a node
/// restarted at once could not bind past its old connections in TIME_WAIT), so the node checks before it starts.
/// </summary>
public static class ListenProbe
{
    private const int SolSocket = 1;
    private const int SoReuseAddr = 2;

    /// <summary>
    /// Binds a probe to <paramref name="host"/>:<paramref name="port"/> and lets it go. The probe sets SO_REUSEADDR
    /// alone, so leftovers in TIME_WAIT do not count and only a live listener does. Port 0 (any free port) checks the
    /// address only, and only an IP address or localhost can be found <see cref="ListenAddress.NotLocal"/>. A name that
    /// does not resolve (no such name, or no resolver answering) is <see cref="ListenAddress.Unresolvable"/> on every
    /// platform; on a platform without those socket options the rest is <see cref="ListenAddress.Free"/>, and the real
    /// bind decides.
    /// </summary>
    public static ListenAddress Probe(string host, int port)
    {
        IPAddress address;
        var literal = IPAddress.TryParse(host, out var parsed) || string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase);
        try
        {
            address = parsed ?? (literal ? IPAddress.Loopback : Dns.GetHostAddresses(host).First());
        }
        catch (SocketException)
        {
            // No such name, or no resolver answering: either way there is no address to bind, and the bind would fail
            // inside the actor system with four nested exceptions.
            return ListenAddress.Unresolvable;
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            return ListenAddress.Free;
        }
        if (!OperatingSystem.IsLinux())
            return ListenAddress.Free;
        using var probe = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        probe.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        try
        {
            probe.Bind(new IPEndPoint(address, port));
            return ListenAddress.Free;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            return ListenAddress.InUse;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressNotAvailable)
        {
            // Only an address given as such is refused: a name may resolve to several, and the real bind may take another.
            return literal ? ListenAddress.NotLocal : ListenAddress.Free;
        }
        catch (SocketException)
        {
            return ListenAddress.Free; // no permission (a port below 1024), no IPv6 here: the real bind reports it
        }
    }
}
