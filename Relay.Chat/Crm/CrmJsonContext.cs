using System.Text.Json;
using System.Text.Json.Serialization;

namespace Relay.Chat.Crm;

/// <summary>The CRM webhook's body and the CRM REST answers, generated at build time (camelCase, nulls left out so a
/// follow carries no nextShowAt).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CrmEventBody))]
[JsonSerializable(typeof(List<CrmDeadLetterView>))]
[JsonSerializable(typeof(CrmRedeliveryAnswer))]
internal sealed partial class CrmJsonContext : JsonSerializerContext;
