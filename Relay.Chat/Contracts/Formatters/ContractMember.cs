using System.Text;
using MessagePack;

namespace Relay.Chat.Contracts.Formatters;

/// <summary>One <c>[Key]</c> member of a hub contract type: its key, and its value written and read with the formatter the
/// options' resolver has for the member's type (as MessagePack-CSharp's dynamic resolver does, so the bytes are the same).</summary>
internal abstract class ContractMember<T>
    where T : class
{
    private ContractMember(string key) => (Key, Utf8Key) = (key, Encoding.UTF8.GetBytes(key));

    public string Key { get; }

    public byte[] Utf8Key { get; }

    public static ContractMember<T> Of<TValue>(string key, Func<T, TValue> get, Action<T, TValue> set) => new Typed<TValue>(key, get, set);

    public abstract void Write(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options);

    public abstract void Read(ref MessagePackReader reader, T value, MessagePackSerializerOptions options);

    private sealed class Typed<TValue>(string key, Func<T, TValue> get, Action<T, TValue> set) : ContractMember<T>(key)
    {
        public override void Write(ref MessagePackWriter writer, T value, MessagePackSerializerOptions options) =>
            options.Resolver.GetFormatterWithVerify<TValue>().Serialize(ref writer, get(value), options);

        public override void Read(ref MessagePackReader reader, T value, MessagePackSerializerOptions options) =>
            set(value, options.Resolver.GetFormatterWithVerify<TValue>().Deserialize(ref reader, options));
    }
}
