using MessagePack;
using MessagePack.Formatters;
using MessagePack.Internal;

namespace Relay.Chat.Contracts.Formatters;

/// <summary>
/// A hub contract type as a map of its string keys, written in the order given (the declaration order, as the dynamic
/// resolver writes them). Reading follows the dynamic resolver too: a new instance first, so a member the sender left out
/// keeps its initial value; keys in any order; unknown keys skipped; nil for the whole object is null.
/// </summary>
internal sealed class ContractFormatter<T>(params ContractMember<T>[] members) : IMessagePackFormatter<T?>
    where T : class, new()
{
    public IReadOnlyList<ContractMember<T>> Members => members;

    public void Serialize(ref MessagePackWriter writer, T? value, MessagePackSerializerOptions options)
    {
        if (value is null)
        {
            writer.WriteNil();
            return;
        }
        writer.WriteMapHeader(members.Length);
        foreach (var member in members)
        {
            writer.WriteString(member.Utf8Key);
            member.Write(ref writer, value, options);
        }
    }

    public T? Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        if (reader.TryReadNil()) return null;
        var value = new T();
        options.Security.DepthStep(ref reader);
        var count = reader.ReadMapHeader();
        for (var i = 0; i < count; i++)
        {
            var member = Find(CodeGenHelpers.ReadStringSpan(ref reader));
            if (member is null) reader.Skip();
            else member.Read(ref reader, value, options);
        }
        reader.Depth--;
        return value;
    }

    private ContractMember<T>? Find(ReadOnlySpan<byte> key)
    {
        foreach (var member in members)
        {
            if (key.SequenceEqual(member.Utf8Key)) return member;
        }
        return null;
    }
}
