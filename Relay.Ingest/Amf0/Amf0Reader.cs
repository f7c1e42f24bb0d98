using System.Buffers.Binary;
using System.Text;

namespace Relay.Ingest.Amf0;

/// <summary>
/// Reads AMF0 values from a contiguous payload (an RTMP command or data message). Decoded values are
/// <see cref="double"/>, <see cref="bool"/>, <see cref="string"/>, <see cref="Amf0Object"/>,
/// <see cref="Amf0EcmaArray"/>, <c>object?[]</c> (strict array), <see cref="DateTimeOffset"/>, <c>null</c> and
/// <see cref="Amf0Undefined"/>. Malformed input throws <see cref="Amf0FormatException"/>, never anything else.
/// Hostile input cannot allocate much: nesting is bounded, every container (strict array, ECMA array, object) holds
/// at most <see cref="MaxContainerEntries"/> entries, and everything one reader decodes (one message) is charged
/// against a budget of estimated managed bytes. Without the budget a 64 KiB message of nulls decodes to ~8x its size.
/// </summary>
public ref struct Amf0Reader
{
    /// <summary>Entries per container: encoders send tens (onMetaData, connect); a thousand is generous.</summary>
    public const int MaxContainerEntries = 1024;

    /// <summary>Estimated managed bytes one reader may decode by default, well above any real command or onMetaData.</summary>
    public const int DefaultMaxDecodedBytes = 64 * 1024;

    private const int MaxDepth = 32;

    // Estimated .NET costs (64-bit): a boxed double or bool, a boxed DateTimeOffset, an object header with its length
    // (arrays and strings), a dictionary and one of its entries (entry, bucket, resize slack).
    private const int BoxCost = 24;
    private const int DateCost = 32;
    private const int HeaderCost = 24;
    private const int DictionaryCost = 80;
    private const int EntryCost = 32;

    private readonly ReadOnlySpan<byte> _data;
    private readonly int _maxDecodedBytes;
    private long _decodedBytes;

    public Amf0Reader(ReadOnlySpan<byte> data, int maxDecodedBytes = DefaultMaxDecodedBytes)
    {
        _data = data;
        _maxDecodedBytes = maxDecodedBytes;
        Position = 0;
    }

    /// <summary>Estimated managed bytes of everything decoded so far.</summary>
    public readonly long DecodedBytes => _decodedBytes;

    public int Position { get; private set; }

    public readonly bool End => Position >= _data.Length;

    public readonly int Remaining => _data.Length - Position;

    public object? ReadValue() => ReadValue(0);

    public string ReadString() => ReadValue() is string s ? s : throw new Amf0FormatException("expected an AMF0 string");

    private object? ReadValue(int depth)
    {
        if (depth > MaxDepth)
        {
            throw new Amf0FormatException($"AMF0 nesting deeper than {MaxDepth}");
        }

        var marker = (Amf0Marker)ReadByte();
        switch (marker)
        {
            case Amf0Marker.Number:
                Charge(BoxCost);
                return BinaryPrimitives.ReadDoubleBigEndian(Take(8));
            case Amf0Marker.Boolean:
                Charge(BoxCost);
                return ReadByte() != 0;
            case Amf0Marker.String:
                return ReadUtf8(BinaryPrimitives.ReadUInt16BigEndian(Take(2)));
            case Amf0Marker.LongString:
                return ReadUtf8(BinaryPrimitives.ReadUInt32BigEndian(Take(4)));
            case Amf0Marker.Null:
                return null;
            case Amf0Marker.Undefined:
                return Amf0Undefined.Instance;
            case Amf0Marker.Object:
                Charge(DictionaryCost);
                return ReadProperties(new Amf0Object(), depth);
            case Amf0Marker.EcmaArray:
                // The count is only a hint (encoders get it wrong); the object-end marker terminates the array.
                Take(4);
                Charge(DictionaryCost);
                return ReadProperties(new Amf0EcmaArray(), depth);
            case Amf0Marker.StrictArray:
                var count = BinaryPrimitives.ReadUInt32BigEndian(Take(4));
                if (count > MaxContainerEntries)
                {
                    throw new Amf0FormatException($"AMF0 strict array of {count} elements (at most {MaxContainerEntries})");
                }

                if (count > (uint)Remaining)
                {
                    throw new Amf0FormatException($"AMF0 strict array claims {count} elements in {Remaining} bytes");
                }

                Charge(HeaderCost + 8L * count);
                var items = new object?[count];
                for (var i = 0; i < items.Length; i++)
                {
                    items[i] = ReadValue(depth + 1);
                }

                return items;
            case Amf0Marker.Date:
                Charge(DateCost);
                var milliseconds = BinaryPrimitives.ReadDoubleBigEndian(Take(8));
                Take(2); // time zone, reserved and always 0 per spec
                // The spec allows any double; what DateTimeOffset cannot hold (years 1-9999) is refused as malformed.
                if (double.IsNaN(milliseconds) || milliseconds < MinUnixMilliseconds || milliseconds > MaxUnixMilliseconds)
                {
                    throw new Amf0FormatException("AMF0 date out of range");
                }

                return DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds);
            default:
                throw new Amf0FormatException($"unsupported AMF0 marker 0x{(byte)marker:x2} at offset {Position - 1}");
        }
    }

    private const double MinUnixMilliseconds = -62_135_596_800_000;
    private const double MaxUnixMilliseconds = 253_402_300_799_999;

    private T ReadProperties<T>(T target, int depth) where T : Dictionary<string, object?>
    {
        for (var entries = 0; ; entries++)
        {
            var name = ReadUtf8(BinaryPrimitives.ReadUInt16BigEndian(Take(2)));
            if (name.Length == 0 && Remaining > 0 && _data[Position] == (byte)Amf0Marker.ObjectEnd)
            {
                Position++;
                return target;
            }

            // Counted per property read, not per distinct name: duplicates cost decoding work too.
            if (entries == MaxContainerEntries)
            {
                throw new Amf0FormatException($"AMF0 object or ECMA array of more than {MaxContainerEntries} properties");
            }

            Charge(EntryCost);

            // Duplicate names: the last one wins, as in ActionScript.
            target[name] = ReadValue(depth + 1);
        }
    }

    private string ReadUtf8(uint length)
    {
        if (length > (uint)Remaining)
        {
            throw new Amf0FormatException($"AMF0 string of {length} bytes overruns the {Remaining} remaining");
        }

        // UTF-16 takes at most two bytes per UTF-8 byte; the empty string is shared.
        if (length > 0)
        {
            Charge(HeaderCost + 2L * length);
        }

        return Encoding.UTF8.GetString(Take((int)length));
    }

    /// <summary>Charges a decoded value before it is allocated, so a refused message never allocates it.</summary>
    private void Charge(long bytes)
    {
        _decodedBytes += bytes;
        if (_decodedBytes > _maxDecodedBytes)
        {
            throw new Amf0FormatException($"AMF0 values decode to more than {_maxDecodedBytes / 1024} KiB");
        }
    }

    private byte ReadByte() => Take(1)[0];

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw new Amf0FormatException($"AMF0 data truncated at offset {Position}");
        }

        var slice = _data.Slice(Position, count);
        Position += count;
        return slice;
    }
}
