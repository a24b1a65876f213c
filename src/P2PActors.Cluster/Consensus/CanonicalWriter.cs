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
    // One per thread for Scratch: the hot checks (each vote's statement, each header's digest) hash their bytes and
    // drop them, so they need no array of their own.
    [ThreadStatic]
    private static CanonicalWriter? _scratch;

    private readonly ArrayBufferWriter<byte> _buffer;

    public CanonicalWriter(string domain)
    {
        _buffer = new ArrayBufferWriter<byte>(256);
        String(domain);
    }

    private CanonicalWriter() => _buffer = new ArrayBufferWriter<byte>(256);

    /// <summary>
    /// This thread's reusable writer, emptied and started with <paramref name="domain"/>: for bytes that are hashed or
    /// looked up at once (<see cref="WrittenSpan"/>) and not kept. Valid until the next <see cref="Scratch"/> on this
    /// thread, so finish with it before calling anything that may use one.
    /// </summary>
    public static CanonicalWriter Scratch(string domain)
    {
        var writer = _scratch ??= new CanonicalWriter();
        writer._buffer.ResetWrittenCount();
        return writer.String(domain);
    }

    /// <summary>The bytes written so far (for a <see cref="Scratch"/> writer, only until its next use).</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

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
