using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace P2PActors.Node.Tests;

/// <summary>
/// HTTP/1.1 written byte by byte on a TCP socket, for the requests no well-behaved client sends: a body shorter than
/// its Content-Length, broken chunked framing, bytes that are not UTF-8. Every request says <c>Connection: close</c>,
/// so the answer is read to the end of the stream.
/// </summary>
public static class RawHttp
{
    public sealed record Answer(int Status, string Head, byte[] Body)
    {
        public string BodyText => Encoding.UTF8.GetString(Body);

        public override string ToString() => $"{Status}\n{Head}\n{BodyText}";
    }

    /// <summary>
    /// Sends the head (<paramref name="head"/> lines without Host and Connection, which are added) and then
    /// <paramref name="body"/> as is. <paramref name="halfClose"/> ends the sending side afterwards, as a client that
    /// gives up on the rest of its body does; otherwise the socket stays open until the node answers.
    /// </summary>
    /// <param name="host">The Host header to send; by default the node's address.</param>
    public static async Task<Answer> SendAsync(Uri node, string method, string path, IEnumerable<string> head, byte[] body,
        bool halfClose, TimeSpan patience, string? host = null)
    {
        using var client = new TcpClient();
        using var timeout = new CancellationTokenSource(patience);
        await client.ConnectAsync(node.Host, node.Port, timeout.Token);
        var stream = client.GetStream();
        var text = new StringBuilder($"{method} {path} HTTP/1.1\r\nHost: {host ?? $"{node.Host}:{node.Port}"}\r\nConnection: close\r\n");
        foreach (var line in head)
            text.Append(line).Append("\r\n");
        text.Append("\r\n");
        await stream.WriteAsync(Encoding.Latin1.GetBytes(text.ToString()), timeout.Token);
        try
        {
            await stream.WriteAsync(body, timeout.Token);
            if (halfClose)
                client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (IOException)
        {
            // The node may answer (and close) before it has read a body it already refused; its answer is still there.
        }
        var received = new MemoryStream();
        try
        {
            await stream.CopyToAsync(received, timeout.Token);
        }
        catch (IOException)
        {
            // A reset after the answer: what arrived is the answer.
        }
        return Parse(received.ToArray());
    }

    /// <summary>The status, head and (de-chunked when needed) body of an HTTP/1.1 answer; status 0 when nothing came.</summary>
    public static Answer Parse(byte[] bytes)
    {
        var all = Encoding.Latin1.GetString(bytes);
        var end = all.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        if (end < 0 || !all.StartsWith("HTTP/1.1 ", StringComparison.Ordinal))
            return new Answer(0, all, []);
        var head = all[..end];
        var status = int.Parse(all.AsSpan(9, 3), NumberStyles.None, CultureInfo.InvariantCulture);
        var body = bytes.AsSpan(end + 4).ToArray();
        if (head.Contains("transfer-encoding: chunked", StringComparison.OrdinalIgnoreCase))
            body = Dechunk(body);
        return new Answer(status, head, body);
    }

    private static byte[] Dechunk(byte[] chunked)
    {
        var output = new MemoryStream();
        var text = Encoding.Latin1.GetString(chunked);
        var at = 0;
        while (at < text.Length)
        {
            var lineEnd = text.IndexOf("\r\n", at, StringComparison.Ordinal);
            if (lineEnd < 0)
                break;
            var size = int.Parse(text.AsSpan(at, lineEnd - at), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
                break;
            output.Write(chunked, lineEnd + 2, size);
            at = lineEnd + 2 + size + 2;
        }
        return output.ToArray();
    }
}
