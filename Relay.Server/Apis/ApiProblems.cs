using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Relay.Chat.Http;
using System.Text.Json.Serialization.Metadata;
using Relay.Server.Channels;

namespace Relay.Server.Apis;

/// <summary>RFC 7807 answers and request-body parsing that turns every bad body into a 400 naming the field.</summary>
public static class ApiProblems
{
    public static ValidationProblem Invalid(IReadOnlyList<FieldError> errors)
    {
        var byField = errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        var first = errors[0];
        return TypedResults.ValidationProblem(byField, detail: $"{first.Field}: {first.Message}", title: "Invalid request");
    }

    public static ValidationProblem Invalid(string field, string message) => Invalid([new FieldError(field, message)]);

    public static NotFoundProblem NotFound(string detail) => new("Not found", detail);

    public static ConflictProblem Conflict(string detail) => new("Conflict", detail);

    public static CatalogResult<TOk> From<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.NonPublicMethods)] TOk>(ChannelResult result, Func<ChannelDefinition?, TOk> ok) where TOk : IResult =>
        new(result.Outcome switch
        {
            ChannelOutcome.Ok => ok(result.Channel),
            ChannelOutcome.NotFound => NotFound(result.Detail ?? "not found"),
            ChannelOutcome.Invalid => Invalid(result.Errors ?? [new FieldError("body", "is invalid")]),
            _ => Conflict(result.Detail ?? "conflict"),
        });

    /// <summary>Reads the body as JSON; the error result says what is wrong and where.</summary>
    public static async Task<(JsonElement Body, BodyProblem? Error)> ReadBodyAsync(HttpRequest request, JsonValueKind expected, CancellationToken ct)
    {
        if (request.ContentType is not { } type || !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            return (default, new(new UnsupportedMediaTypeProblem("Unsupported media type", "Send the body as application/json.")));
        }
        try
        {
            using var doc = await JsonDocument.ParseAsync(request.Body, new JsonDocumentOptions { MaxDepth = 16 }, ct);
            var root = doc.RootElement.Clone();
            if (root.ValueKind != expected)
            {
                return (default, new(Invalid("body", $"must be a JSON {(expected == JsonValueKind.Array ? "array" : "object")}")));
            }
            return (root, null);
        }
        catch (JsonException e)
        {
            return (default, new(Invalid("body", $"is not valid JSON ({Trim(e.Message)})")));
        }
    }

    /// <summary>Deserializes one property, turning a type mismatch into a field error. Every T read is listed in
    /// <see cref="ApiJsonContext"/>.</summary>
    public static T? Get<T>(JsonElement obj, string name, List<FieldError> errors, string? field = null)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
        {
            return default;
        }
        try
        {
            return value.Deserialize((JsonTypeInfo<T>)ApiJsonContext.Default.GetTypeInfo(typeof(T))!);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            errors.Add(new(field ?? name, $"has the wrong type ({Describe(typeof(T))} expected)"));
            return default;
        }
    }

    public static bool Has(JsonElement obj, string name) => obj.TryGetProperty(name, out _);

    /// <summary>Properties the endpoint does not know are refused, so a typo is not silently ignored.</summary>
    public static void RejectUnknown(JsonElement obj, IReadOnlyCollection<string> known, string prefix, List<FieldError> errors)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (!known.Contains(p.Name))
            {
                errors.Add(new(prefix + p.Name, $"is not a known field (known: {string.Join(", ", known)})"));
            }
        }
    }

    private static string Describe(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t == typeof(string) ? "string" : t == typeof(bool) ? "boolean"
            : t == typeof(int) || t == typeof(long) || t == typeof(double) ? "number" : "object";
    }

    private static string Trim(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
