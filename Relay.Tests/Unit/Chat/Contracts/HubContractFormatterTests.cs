using System.Reflection;
using System.Xml.Linq;
using MessagePack;
using MessagePack.Formatters;
using Microsoft.AspNetCore.SignalR;
using Relay.Chat.Contracts;
using Relay.Chat.Contracts.Formatters;
using Relay.Chat.Hubs;

namespace Relay.Tests.Unit.Chat.Contracts;

/// <summary>
/// `/hubs/live` speaks MessagePack under NativeAOT: every type that crosses the hub has a formatter that exists before run
/// time, the value types SignalR binds by Type are rooted for the AOT compiler, and the formatters write and read what
/// MessagePack-CSharp's dynamic resolver (SignalR's default, still usable in this JIT-compiled test) wrote and read.
/// </summary>
public sealed class HubContractFormatterTests
{
    private static readonly MessagePackSerializerOptions Dynamic = new MessagePackHubProtocolOptions().SerializerOptions;

    private static readonly MethodInfo GetFormatter = typeof(IFormatterResolver).GetMethod(nameof(IFormatterResolver.GetFormatter))!;

    [Fact]
    public void Every_type_crossing_the_hub_has_a_formatter_that_is_not_generated_at_run_time()
    {
        var types = CrossingTypes();
        Assert.Contains(typeof(JoinSnapshot), types);
        Assert.Contains(typeof(ProductView), types); // reached through JoinSnapshot.Lineup: members count too
        var offenders = types
            .Select(t => (Type: t, Formatter: GetFormatter.MakeGenericMethod(t).Invoke(HubSerializerOptions.Configured.Resolver, null)))
            .Where(x => x.Formatter is null || x.Formatter.GetType().Assembly.IsDynamic)
            .Select(x => $"{x.Type}: {(x.Formatter is null ? "no formatter" : "generated at run time: " + x.Formatter.GetType().FullName)}")
            .ToList();
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }

    [Fact]
    public void Every_value_type_bound_by_type_is_rooted_for_NativeAOT()
    {
        var directives = XDocument.Load(Path.Combine(AppContext.BaseDirectory, "LiveHub.rd.xml"));
        var ns = directives.Root!.Name.Namespace;
        foreach (var method in new[] { "SerializeSemiGeneric", "DeserializeSemiGeneric" })
        {
            var rooted = directives.Descendants(ns + "Method").Where(m => (string?)m.Attribute("Name") == method)
                .Descendants(ns + "GenericArgument").Select(a => Type.GetType((string)a.Attribute("Name")!, throwOnError: true)!)
                .ToHashSet();
            var bound = TopLevelTypes().Where(t => t.IsValueType).ToHashSet();
            Assert.Contains(typeof(int), bound); // Mute and SetSlowMode take seconds
            Assert.True(bound.SetEquals(rooted), $"{method}: bound by type {string.Join(", ", bound)}; rooted {string.Join(", ", rooted)}");
        }
    }

    [Fact]
    public void Every_contract_type_has_a_formatter_with_its_keys_in_declaration_order()
    {
        var formatters = HubContractFormatters.All.Select(f => f.GetType()).Where(t => t.GetGenericTypeDefinition() == typeof(ContractFormatter<>))
            .ToDictionary(t => t.GetGenericArguments()[0]);
        var contracts = typeof(JoinSnapshot).Assembly.GetTypes().Where(t => t.GetCustomAttribute<MessagePackObjectAttribute>() is not null).ToHashSet();
        Assert.Equal(contracts.OrderBy(t => t.Name), formatters.Keys.OrderBy(t => t.Name));
        foreach (var type in contracts)
        {
            var formatter = HubContractFormatters.All.Single(f => f.GetType() == formatters[type]);
            var keys = ((System.Collections.IEnumerable)formatters[type].GetProperty("Members")!.GetValue(formatter)!).Cast<object>()
                .Select(m => (string)m.GetType().GetProperty("Key")!.GetValue(m)!);
            Assert.Equal(Keys(type).Select(k => k.Key), keys);
        }
    }

    [Fact]
    public void Every_contract_type_writes_the_bytes_of_the_dynamic_resolver()
    {
        foreach (var type in ContractTypes())
        {
            foreach (var value in new[] { Filled(type, 1), Activator.CreateInstance(type), Filled(type, 2) })
            {
                Assert.Equal(Hex(Write(type, value, Dynamic)), Hex(Write(type, value, HubSerializerOptions.Configured)));
            }
            Assert.Equal("C0", Hex(Write(type, null, HubSerializerOptions.Configured)));
        }
    }

    [Fact]
    public void Every_contract_type_reads_what_the_dynamic_resolver_reads()
    {
        foreach (var type in ContractTypes())
        {
            foreach (var message in Variants(type))
            {
                var expected = Hex(Write(type, Read(type, message, Dynamic), Dynamic));
                var actual = Hex(Write(type, Read(type, message, HubSerializerOptions.Configured), Dynamic));
                Assert.True(expected == actual, $"{type.Name} read from {Hex(message)}: dynamic {expected}, formatter {actual}");
            }
        }
    }

    [Fact]
    public void A_type_without_a_formatter_fails_instead_of_being_generated()
    {
        var error = Assert.Throws<MessagePackSerializationException>(() => Write(typeof(Unlisted), new Unlisted { Name = "x" }, HubSerializerOptions.Configured));
        Assert.IsType<FormatterNotRegisteredException>(error.InnerException);
    }

    [MessagePackObject]
    public sealed class Unlisted
    {
        [Key("name")] public string Name { get; set; } = "";
    }

    /// <summary>What a client may send besides what the server writes: members in reverse order, one left out, an unknown
    /// key with a nested value, every member nil, an empty map, nil for the whole object.</summary>
    private static IEnumerable<byte[]> Variants(Type type)
    {
        var members = Keys(type).Select(k => (k.Key, Value: Entry(k.Property, Filled(type, 3)))).ToList();
        yield return Write(type, Filled(type, 3), Dynamic);
        yield return Map(members.AsEnumerable().Reverse().Skip(1).Append(("unknown", Write(typeof(Dictionary<string, int[]>), new Dictionary<string, int[]> { ["a"] = [1, 2] }, Dynamic))));
        yield return Map(members.Select(m => (m.Key, Nil: IsNullable(Keys(type).Single(k => k.Key == m.Key).Property.PropertyType) ? new byte[] { 0xC0 } : m.Value)));
        yield return Map([]);
        yield return [0xC0];
    }

    private static byte[] Entry(PropertyInfo property, object? owner) =>
        Write(property.PropertyType, property.GetValue(owner), Dynamic);

    private static byte[] Map(IEnumerable<(string Key, byte[] Value)> entries)
    {
        var list = entries.ToList();
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(list.Count);
        foreach (var (key, value) in list)
        {
            writer.Write(key);
            writer.WriteRaw(value);
        }
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static bool IsNullable(Type type) => !type.IsValueType || Nullable.GetUnderlyingType(type) is not null;

    /// <summary>An instance with every member set to a value that differs by <paramref name="seed"/>: long strings, negative and
    /// large numbers, times with sub-second ticks, lists of two.</summary>
    private static object? Filled(Type type, int seed)
    {
        if (type == typeof(string)) return seed % 2 == 0 ? new string('x', 40 * seed) : $"s{seed} ✨";
        if (type == typeof(int)) return seed % 2 == 0 ? -seed : 70_000 * seed;
        if (type == typeof(long)) return 12_345_678_901L * seed;
        if (type == typeof(bool)) return seed % 2 == 1;
        if (type == typeof(DateTime)) return new DateTime(2026, 12, 7, 3, 4, 5, DateTimeKind.Utc).AddTicks(1_234_567 * seed);
        if (Nullable.GetUnderlyingType(type) is { } underlying) return Filled(underlying, seed);
        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            var list = (System.Collections.IList)Activator.CreateInstance(type)!;
            list.Add(Filled(type.GetGenericArguments()[0], seed));
            list.Add(Filled(type.GetGenericArguments()[0], seed + 1));
            return list;
        }
        var value = Activator.CreateInstance(type)!;
        foreach (var (_, property) in Keys(type)) property.SetValue(value, Filled(property.PropertyType, seed));
        return value;
    }

    private static byte[] Write(Type type, object? value, MessagePackSerializerOptions options) =>
        MessagePackSerializer.Serialize(type, value, options, TestContext.Current.CancellationToken);

    private static object? Read(Type type, byte[] bytes, MessagePackSerializerOptions options) =>
        MessagePackSerializer.Deserialize(type, bytes, options, TestContext.Current.CancellationToken);

    private static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

    private static IEnumerable<(string Key, PropertyInfo Property)> Keys(Type type) =>
        type.GetProperties().OrderBy(p => p.MetadataToken)
            .Select(p => (Key: p.GetCustomAttribute<KeyAttribute>()?.StringKey, Property: p)).Where(k => k.Key is not null).Select(k => (k.Key!, k.Property));

    private static IEnumerable<Type> ContractTypes() =>
        CrossingTypes().Where(t => t.GetCustomAttribute<MessagePackObjectAttribute>() is not null);

    /// <summary>The arguments and results of <see cref="LiveHub"/>'s methods and the payloads of <see cref="ILiveClient"/>'s events:
    /// what SignalR hands MessagePack by Type.</summary>
    private static HashSet<Type> TopLevelTypes()
    {
        var hubMethods = typeof(LiveHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.GetBaseDefinition().DeclaringType == typeof(LiveHub));
        return hubMethods.Concat(typeof(ILiveClient).GetMethods())
            .SelectMany(m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType))
            .Select(t => t.IsGenericType && t.GetGenericTypeDefinition() == typeof(Task<>) ? t.GetGenericArguments()[0] : t)
            .Where(t => t != typeof(Task) && t != typeof(void) && t != typeof(CancellationToken))
            .ToHashSet();
    }

    /// <summary><see cref="TopLevelTypes"/> and, through the <c>[Key]</c> members, every type inside them.</summary>
    private static HashSet<Type> CrossingTypes()
    {
        var found = new HashSet<Type>();
        var pending = new Queue<Type>(TopLevelTypes());
        while (pending.TryDequeue(out var type))
        {
            if (!found.Add(type)) continue;
            if (type.IsGenericType) foreach (var argument in type.GetGenericArguments()) pending.Enqueue(argument);
            foreach (var (_, property) in Keys(type)) pending.Enqueue(property.PropertyType);
        }
        return found;
    }
}
