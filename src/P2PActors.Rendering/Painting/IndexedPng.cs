using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using SkiaSharp;

namespace P2PActors.Rendering.Painting;

/// <summary>
/// A palette PNG writer for opaque images of at most 256 colours — maps at small tile sizes, which are drawn without
/// anti-aliasing for exactly this reason. One byte per pixel instead of three or four makes a 1024² map about three
/// times cheaper to encode than Skia's RGB encoder. The palette is ordered by first appearance (row-major), so the
/// bytes depend only on the pixels.
/// </summary>
internal static class IndexedPng
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a];
    private static readonly uint[] CrcTable = BuildCrcTable();

    /// <summary>The PNG, or null when the image is not opaque or has more than 256 colours.</summary>
    public static byte[]? TryEncode(SKBitmap bitmap)
    {
        if (bitmap.AlphaType != SKAlphaType.Opaque || bitmap.ColorType != SKColorType.Rgba8888)
        {
            return null;
        }
        var width = bitmap.Width;
        var height = bitmap.Height;
        var stride = bitmap.RowBytes / 4;
        var pixels = MemoryMarshal.Cast<byte, uint>(bitmap.GetPixelSpan());
        var palette = new uint[256];
        var count = 0;
        // Open addressing over 1024 slots (at most 256 used): grid lines and tile edges change colour every few
        // pixels, and a Dictionary lookup per change showed up in the map benchmark.
        const int slots = 1024;
        var keys = new uint[slots];
        var values = new byte[slots];
        var used = new bool[slots];
        // Each row is a filter byte — 0 (none), as the PNG specification recommends for palette images; measured
        // here it also deflates faster than the Up filter — followed by one palette index per pixel.
        var scanlines = new byte[(width + 1) * height];
        var last = 0u;
        byte lastIndex = 0;
        var hasLast = false;
        for (var y = 0; y < height; y++)
        {
            var row = pixels.Slice(y * stride, width);
            var output = scanlines.AsSpan(y * (width + 1) + 1, width);
            for (var x = 0; x < row.Length; x++)
            {
                var px = row[x];
                if (!hasLast || px != last)
                {
                    var slot = (int)((px * 2654435761u) >> 22);
                    while (used[slot] && keys[slot] != px)
                    {
                        slot = (slot + 1) & (slots - 1);
                    }
                    if (used[slot])
                    {
                        lastIndex = values[slot];
                    }
                    else
                    {
                        if (count == 256)
                        {
                            return null;
                        }
                        lastIndex = (byte)count;
                        used[slot] = true;
                        keys[slot] = px;
                        values[slot] = lastIndex;
                        palette[count++] = px;
                    }
                    last = px;
                    hasLast = true;
                }
                output[x] = lastIndex;
            }
        }

        using var png = new MemoryStream(scanlines.Length / 8 + 1024);
        png.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;
        header[9] = 3;
        WriteChunk(png, "IHDR"u8, header);
        var plte = new byte[count * 3];
        for (var i = 0; i < count; i++)
        {
            // Rgba8888 in memory is R, G, B, A: as a little-endian uint, red is the low byte.
            plte[i * 3] = (byte)palette[i];
            plte[i * 3 + 1] = (byte)(palette[i] >> 8);
            plte[i * 3 + 2] = (byte)(palette[i] >> 16);
        }
        WriteChunk(png, "PLTE"u8, plte);
        using (var compressed = new MemoryStream(scanlines.Length / 8 + 64))
        {
            using (var zlib = new ZLibStream(compressed, new ZLibCompressionOptions { CompressionLevel = 1 }, leaveOpen: true))
            {
                zlib.Write(scanlines);
            }
            WriteChunk(png, "IDAT"u8, compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        }
        WriteChunk(png, "IEND"u8, []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        output.Write(word);
        output.Write(type);
        output.Write(data);
        var crc = 0xffffffffu;
        foreach (var b in type)
        {
            crc = CrcTable[(crc ^ b) & 0xff] ^ (crc >> 8);
        }
        foreach (var b in data)
        {
            crc = CrcTable[(crc ^ b) & 0xff] ^ (crc >> 8);
        }
        BinaryPrimitives.WriteUInt32BigEndian(word, crc ^ 0xffffffffu);
        output.Write(word);
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var n = 0u; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
