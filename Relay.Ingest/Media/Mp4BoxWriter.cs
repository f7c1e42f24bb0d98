using System.Buffers.Binary;
using System.Text;

namespace Relay.Ingest.Media;

/// <summary>
/// Writes ISO BMFF boxes (ISO/IEC 14496-12) into a growing buffer: <see cref="Begin"/> reserves the size field and
/// <see cref="End"/> fills it in, so nested boxes are written in one pass without measuring them first.
/// </summary>
internal sealed class Mp4BoxWriter(int capacity = 1024)
{
    private readonly Stack<int> _open = new();
    private byte[] _buffer = new byte[capacity];

    public int Length { get; private set; }

    public void Begin(string type)
    {
        _open.Push(Length);
        U32(0);
        FourCc(type);
    }

    /// <summary>A "full box": version and 24 bits of flags after the type.</summary>
    public void BeginFull(string type, byte version, uint flags)
    {
        Begin(type);
        U8(version);
        U24(flags);
    }

    public void End()
    {
        var start = _open.Pop();
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(start), (uint)(Length - start));
    }

    public void U8(byte value) => Reserve(1)[0] = value;

    public void U16(int value) => BinaryPrimitives.WriteUInt16BigEndian(Reserve(2), (ushort)value);

    public void U24(uint value)
    {
        var span = Reserve(3);
        span[0] = (byte)(value >> 16);
        span[1] = (byte)(value >> 8);
        span[2] = (byte)value;
    }

    public void U32(uint value) => BinaryPrimitives.WriteUInt32BigEndian(Reserve(4), value);

    public void I32(int value) => BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);

    public void U64(ulong value) => BinaryPrimitives.WriteUInt64BigEndian(Reserve(8), value);

    public void Zeros(int count) => Reserve(count).Clear();

    public void Bytes(ReadOnlySpan<byte> bytes) => bytes.CopyTo(Reserve(bytes.Length));

    public void FourCc(string type)
    {
        if (type.Length != 4) throw new ArgumentException("a box type is four characters", nameof(type));
        Encoding.ASCII.GetBytes(type, Reserve(4));
    }

    /// <summary>Overwrites four bytes written earlier (a trun's data offset, known once the moof is complete).</summary>
    public void PatchU32(int at, uint value) => BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(at, 4), value);

    public byte[] ToArray()
    {
        if (_open.Count != 0) throw new InvalidOperationException("a box is still open");
        return _buffer.AsSpan(0, Length).ToArray();
    }

    private Span<byte> Reserve(int count)
    {
        if (Length + count > _buffer.Length) Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, Length + count));
        var span = _buffer.AsSpan(Length, count);
        Length += count;
        return span;
    }
}
