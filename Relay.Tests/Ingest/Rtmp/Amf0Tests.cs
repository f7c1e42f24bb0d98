using System.Buffers;
using CsCheck;
using Relay.Ingest.Rtmp;

namespace Relay.Tests.Ingest.Rtmp;

public class Amf0Tests
{
    [Fact]
    public void Round_trips_every_supported_type()
    {
        var date = DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123);
        var obj = new Amf0Object { ["app"] = "live", ["tcUrl"] = "rtmp://h/live", ["n"] = 3.5, ["ok"] = true, ["nothing"] = null };
        var ecma = new Amf0EcmaArray { ["width"] = 640.0, ["height"] = 360.0 };
        var longString = new string('x', 70_000);
        var buffer = new ArrayBufferWriter<byte>();
        foreach (var v in new object?[] { 1.25, false, "héllo", longString, obj, ecma, new object?[] { 1.0, "a", null }, null, Amf0Undefined.Instance, date })
        {
            Amf0Writer.WriteValue(buffer, v);
        }

        var reader = new Amf0Reader(buffer.WrittenSpan);
        Assert.Equal(1.25, reader.ReadValue());
        Assert.Equal(false, reader.ReadValue());
        Assert.Equal("héllo", reader.ReadValue());
        Assert.Equal(longString, reader.ReadValue());
        var readObj = Assert.IsType<Amf0Object>(reader.ReadValue());
        Assert.Equal(obj, readObj);
        Assert.Equal(ecma, Assert.IsType<Amf0EcmaArray>(reader.ReadValue()));
        Assert.Equal(new object?[] { 1.0, "a", null }, Assert.IsType<object?[]>(reader.ReadValue()));
        Assert.Null(reader.ReadValue());
        Assert.Same(Amf0Undefined.Instance, reader.ReadValue());
        Assert.Equal(date, reader.ReadValue());
        Assert.True(reader.End);
    }

    [Theory]
    [InlineData(new byte[] { 0x02, 0x00, 0x05, (byte)'a' })] // string longer than the data
    [InlineData(new byte[] { 0x00, 0x01 })] // truncated number
    [InlineData(new byte[] { 0x0A, 0xFF, 0xFF, 0xFF, 0xFF })] // strict array claiming 4 billion items
    [InlineData(new byte[] { 0x03, 0x00, 0x01, (byte)'a' })] // object without end marker
    [InlineData(new byte[] { 0x11 })] // AVM+ switch is not supported
    [InlineData(new byte[] { })]
    public void Malformed_input_throws_a_format_exception(byte[] data)
    {
        Assert.Throws<Amf0FormatException>(() => new Amf0Reader(data).ReadValue());
    }

    [Fact]
    public void Deep_nesting_is_refused_rather_than_overflowing_the_stack()
    {
        var data = new List<byte>();
        for (var i = 0; i < 10_000; i++)
        {
            data.AddRange(new byte[] { 0x0A, 0, 0, 0, 1 });
        }

        data.Add(0x05);
        var ex = Assert.Throws<Amf0FormatException>(() => new Amf0Reader(data.ToArray()).ReadValue());
        Assert.Contains("nesting", ex.Message);
    }

    [Fact]
    public void Random_bytes_only_ever_throw_format_exceptions()
    {
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            try
            {
                var reader = new Amf0Reader(bytes);
                while (!reader.End)
                {
                    reader.ReadValue();
                }
            }
            catch (Amf0FormatException)
            {
            }
        }, iter: 5000);
    }
}
