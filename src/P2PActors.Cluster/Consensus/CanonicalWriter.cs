using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace P2PActors.Cluster.Consensus;

/// <summary>
/// Builds the exact bytes that get signed or hashed: a domain tag first, then every field with a
/// fixed width or a big-endian length prefix, so no two different statements share an encoding
/// (("ab","c") and ("a","bc") differ) and a signature for one kind of statement is useless for another.
/// </summary>
internal sealed class CanonicalWriter
{
    private readonly ArrayBufferWriter<byte> _buffer = new(256);

    public CanonicalWriter(string domain) => String(domain);

    public CanonicalWriter String(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        Int32(length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
        return this;
    }

    public CanonicalWriter Bytes(ReadOnlySpan<byte> value)
    {
        Int32(value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
        return this;
    }

    public CanonicalWriter Int32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
        return this;
    }

    public CanonicalWriter Int64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
        return this;
    }

    public CanonicalWriter Bool(bool value)
    {
        _buffer.GetSpan(1)[0] = value ? (byte)1 : (byte)0;
        _buffer.Advance(1);
        return this;
    }

    public CanonicalWriter Strings(IReadOnlyList<string> values)
    {
        Int32(values.Count);
        foreach (var value in values)
            String(value);
        return this;
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();
}
