using Relay.Tests.Common;
using Relay.Tests.Common.Hosts;
using Relay.Tests.Common.Media;
using Relay.Tests.Common.Peers;
using Relay.Tests.Common.Chat;
using System.Reflection;
using Relay.Ingest.Diagnostics;

namespace Relay.Tests.Unit.Ingest.Diagnostics;

public class EventIdsTests
{
    [Fact]
    public void No_two_ingest_event_ids_share_a_value()
    {
        var ids = typeof(EventIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(int))
            .Select(f => (f.Name, Value: (int)f.GetRawConstantValue()!))
            .ToList();

        Assert.True(ids.Count >= 40, $"only {ids.Count} ids found: the catalogue is expected to hold every ingest id");
        var shared = ids.GroupBy(i => i.Value).Where(g => g.Count() > 1).Select(g => $"{g.Key}: {string.Join(", ", g.Select(i => i.Name))}").ToList();
        Assert.True(shared.Count == 0, "event ids used twice: " + string.Join("; ", shared));
    }

    [Fact]
    public void Every_ingest_log_message_takes_its_id_from_the_catalogue()
    {
        // LoggerMessage attributes are compile-time only; what reaches the runtime is the id each generated method
        // logs with. Reading every [LoggerMessage] of the assembly keeps a literal or "+ 50" id from creeping back.
        var catalogue = typeof(EventIds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Select(f => (int)f.GetRawConstantValue()!).ToHashSet();
        var messages = typeof(EventIds).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<Microsoft.Extensions.Logging.LoggerMessageAttribute>()))
            .Where(x => x.Attribute is not null)
            .ToList();

        Assert.NotEmpty(messages);
        var outside = messages.Where(x => !catalogue.Contains(x.Attribute!.EventId)).Select(x => $"{x.Method.DeclaringType!.Name}.{x.Method.Name} ({x.Attribute!.EventId})").ToList();
        Assert.True(outside.Count == 0, "log messages with an id not in EventIds: " + string.Join(", ", outside));
        var reused = messages.GroupBy(x => x.Attribute!.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(x => $"{x.Method.DeclaringType!.Name}.{x.Method.Name}"))}").ToList();
        Assert.True(reused.Count == 0, "one id on several log messages: " + string.Join("; ", reused));
    }
}
