using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Relay.Ingest.Amf0;

/// <summary>Writes AMF0 values (the inverse of <see cref="Amf0Reader"/>).</summary>
public static class Amf0Writer
{
    public static void WriteNumber(IBufferWriter<byte> output, double value)
    {
        var span = output.GetSpan(9);
        span[0] = (byte)Amf0Marker.Number;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value);
        output.Advance(9);
    }

    public static void WriteBoolean(IBufferWriter<byte> output, bool value)
    {
        var span = output.GetSpan(2);
        span[0] = (byte)Amf0Marker.Boolean;
        span[1] = value ? (byte)1 : (byte)0;
        output.Advance(2);
    }

    /// <summary>Writes a string, as a long string when it does not fit the 16-bit length of a plain one.</summary>
    public static void WriteString(IBufferWriter<byte> output, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        if (length > ushort.MaxValue)
        {
            WriteMarker(output, Amf0Marker.LongString);
            var span = output.GetSpan(4);
            BinaryPrimitives.WriteUInt32BigEndian(span, (uint)length);
            output.Advance(4);
        }
        else
        {
            WriteMarker(output, Amf0Marker.String);
        }

        WriteUtf8(output, value, length, writeShortLength: length <= ushort.MaxValue);
    }

    public static void WriteNull(IBufferWriter<byte> output) => WriteMarker(output, Amf0Marker.Null);

    public static void WriteUndefined(IBufferWriter<byte> output) => WriteMarker(output, Amf0Marker.Undefined);

    public static void WriteDate(IBufferWriter<byte> output, DateTimeOffset value)
    {
        var span = output.GetSpan(11);
        span[0] = (byte)Amf0Marker.Date;
        BinaryPrimitives.WriteDoubleBigEndian(span[1..], value.ToUnixTimeMilliseconds());
        span[9] = 0;
        span[10] = 0;
        output.Advance(11);
    }

    public static void WriteObject(IBufferWriter<byte> output, IEnumerable<KeyValuePair<string, object?>> properties)
    {
        WriteMarker(output, Amf0Marker.Object);
        WriteProperties(output, properties);
    }

    public static void WriteEcmaArray(IBufferWriter<byte> output, IReadOnlyCollection<KeyValuePair<string, object?>> properties)
    {
        var span = output.GetSpan(5);
        span[0] = (byte)Amf0Marker.EcmaArray;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)properties.Count);
        output.Advance(5);
        WriteProperties(output, properties);
    }

    public static void WriteStrictArray(IBufferWriter<byte> output, IReadOnlyList<object?> items)
    {
        var span = output.GetSpan(5);
        span[0] = (byte)Amf0Marker.StrictArray;
        BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)items.Count);
        output.Advance(5);
        foreach (var item in items)
        {
            WriteValue(output, item);
        }
    }

    /// <summary>Writes any value <see cref="Amf0Reader"/> can return (plus the common .NET numeric types).</summary>
    public static void WriteValue(IBufferWriter<byte> output, object? value)
    {
        switch (value)
        {
            case null: WriteNull(output); break;
            case Amf0Undefined: WriteUndefined(output); break;
            case bool b: WriteBoolean(output, b); break;
            case string s: WriteString(output, s); break;
            case double d: WriteNumber(output, d); break;
            case int i: WriteNumber(output, i); break;
            case long l: WriteNumber(output, l); break;
            case float f: WriteNumber(output, f); break;
            case DateTimeOffset dto: WriteDate(output, dto); break;
            case Amf0EcmaArray ecma: WriteEcmaArray(output, ecma); break;
            case IEnumerable<KeyValuePair<string, object?>> obj: WriteObject(output, obj); break;
            case IReadOnlyList<object?> list: WriteStrictArray(output, list); break;
            default: throw new ArgumentException($"no AMF0 encoding for {value.GetType().Name}", nameof(value));
        }
    }

    private static void WriteProperties(IBufferWriter<byte> output, IEnumerable<KeyValuePair<string, object?>> properties)
    {
        foreach (var (name, value) in properties)
        {
            var length = Encoding.UTF8.GetByteCount(name);
            if (length > ushort.MaxValue)
            {
                throw new ArgumentException("AMF0 property names are at most 65535 bytes", nameof(properties));
            }

            WriteUtf8(output, name, length, writeShortLength: true);
            WriteValue(output, value);
        }

        var span = output.GetSpan(3);
        span[0] = 0;
        span[1] = 0;
        span[2] = (byte)Amf0Marker.ObjectEnd;
        output.Advance(3);
    }

    private static void WriteMarker(IBufferWriter<byte> output, Amf0Marker marker)
    {
        output.GetSpan(1)[0] = (byte)marker;
        output.Advance(1);
    }

    private static void WriteUtf8(IBufferWriter<byte> output, string value, int length, bool writeShortLength)
    {
        if (writeShortLength)
        {
            var prefix = output.GetSpan(2);
            BinaryPrimitives.WriteUInt16BigEndian(prefix, (ushort)length);
            output.Advance(2);
        }

        var span = output.GetSpan(length);
        Encoding.UTF8.GetBytes(value, span);
        output.Advance(length);
    }
}
