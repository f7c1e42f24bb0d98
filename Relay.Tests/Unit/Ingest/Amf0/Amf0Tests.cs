using System.Buffers;
using CsCheck;
using Relay.Ingest.Amf0;
using Relay.Ingest.Rtmp;

namespace Relay.Tests.Unit.Ingest.Amf0;

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

        // The 70,000-character string alone decodes to ~137 KiB, over the default budget of one message.
        var reader = new Amf0Reader(buffer.WrittenSpan, maxDecodedBytes: 1024 * 1024);
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

    private static byte[] StrictArrayOfNulls(int count, string name = "x")
    {
        var buffer = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(buffer, name);
        Amf0Writer.WriteNumber(buffer, 0);
        Amf0Writer.WriteValue(buffer, null);
        Amf0Writer.WriteValue(buffer, new object?[count]);
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Properties(byte marker, int count)
    {
        var data = new List<byte> { marker };
        if (marker == 0x08) data.AddRange(new byte[4]); // ECMA count hint
        for (var i = 0; i < count; i++)
        {
            var name = System.Text.Encoding.ASCII.GetBytes($"p{i}");
            data.AddRange(new byte[] { 0, (byte)name.Length });
            data.AddRange(name);
            data.Add(0x05);
        }

        data.AddRange(new byte[] { 0, 0, 0x09 });
        return data.ToArray();
    }

    [Theory]
    [InlineData(0x0A)]
    [InlineData(0x03)]
    [InlineData(0x08)]
    public void A_container_of_1024_entries_decodes_and_one_of_1025_is_refused(byte marker)
    {
        byte[] Container(int count) => marker == 0x0A ? StrictArrayOfNulls(count)[14..] : Properties(marker, count);

        // A budget large enough that the entry cap is what decides (1,024 named properties are ~64 KiB decoded).
        var fits = new Amf0Reader(Container(Amf0Reader.MaxContainerEntries), maxDecodedBytes: 1024 * 1024).ReadValue();
        Assert.Equal(Amf0Reader.MaxContainerEntries, fits is object?[] array ? array.Length : ((IReadOnlyDictionary<string, object?>)fits!).Count);
        var ex = Assert.Throws<Amf0FormatException>(() => new Amf0Reader(Container(Amf0Reader.MaxContainerEntries + 1), maxDecodedBytes: 1024 * 1024).ReadValue());
        Assert.Contains("1024", ex.Message);
    }

    [Fact]
    public void The_reviews_64_KiB_message_of_60000_nulls_is_refused_before_anything_is_allocated()
    {
        var message = StrictArrayOfNulls(60_000);
        Assert.True(message.Length < 64 * 1024);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Throws<Amf0FormatException>(() =>
        {
            var reader = new Amf0Reader(message);
            while (!reader.End) reader.ReadValue();
        });
        // The name and the exception; the old reader allocated an object?[60000] (480 KB) here.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 32 * 1024);
    }

    [Fact]
    public void Many_containers_within_the_entry_cap_are_refused_by_the_decoded_budget_of_the_message()
    {
        // 60 arrays of 1,000 nulls: each is under the entry cap, together ~470 KB decoded from 60 KB.
        var buffer = new ArrayBufferWriter<byte>();
        for (var i = 0; i < 60; i++) Amf0Writer.WriteValue(buffer, new object?[1000]);
        var ex = Assert.Throws<Amf0FormatException>(() =>
        {
            var reader = new Amf0Reader(buffer.WrittenSpan);
            while (!reader.End) reader.ReadValue();
        });
        Assert.Contains("64 KiB", ex.Message);
        // A command is one reader: RtmpCommand refuses it as malformed rather than throwing.
        var command = new ArrayBufferWriter<byte>();
        Amf0Writer.WriteString(command, "onStatus");
        Amf0Writer.WriteNumber(command, 0);
        command.Write(buffer.WrittenSpan);
        var message = new RtmpMessage(new RtmpMessageHeader(3, 0, command.WrittenCount, RtmpMessageType.CommandAmf0, 0), command.WrittenMemory);
        Assert.False(RtmpCommand.TryParse(message, out _, out var error));
        Assert.Contains("64 KiB", error);
    }
}
