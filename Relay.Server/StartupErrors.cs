using Relay.Server.Configuration;
using Microsoft.Extensions.Options;

/// <summary>A startup failure as one line per problem for the operator (Program exits with 2), or null when it is not a configuration problem.</summary>
internal static class StartupErrors
{
    public static IReadOnlyList<string>? Describe(Exception e) => e switch
    {
        StartupException s => [s.Message],
        AggregateException a => a.InnerExceptions.SelectMany(i => Describe(i) ?? [i.Message]).Distinct().ToList(),
        OptionsValidationException o => o.Failures.SelectMany(f => f.Split("; ", StringSplitOptions.RemoveEmptyEntries)).Distinct().ToList(),
        InvalidOperationException { Message: var m } when m.StartsWith("Failed to convert configuration value", StringComparison.Ordinal) =>
            [ConversionMessage(m)],
        InvalidDataException { Message: var m } when m.Contains("JSON", StringComparison.OrdinalIgnoreCase) => [m],
        System.Text.Json.JsonException j => [$"config: {j.Message}"],
        IOException { Message: var m } when m.Contains("address already in use", StringComparison.OrdinalIgnoreCase) =>
            [$"urls: {m.TrimEnd('.')}; another process holds the port (choose another with --urls)"],
        _ when e.InnerException is { } inner => Describe(inner),
        _ => null,
    };

    // "Failed to convert configuration value 'abc' at 'Relay:Ingest:RtmpPort' to type 'System.Int32'."
    private static string ConversionMessage(string m)
    {
        var at = m.IndexOf(" at '", StringComparison.Ordinal);
        if (at < 0)
        {
            return m;
        }
        var keyStart = at + 5;
        var keyEnd = m.IndexOf('\'', keyStart);
        var valueStart = m.IndexOf('\'') + 1;
        var value = m[valueStart..m.IndexOf('\'', valueStart)];
        var typeStart = m.LastIndexOf("'System.", StringComparison.Ordinal);
        var type = typeStart >= 0 ? m[(typeStart + 8)..m.LastIndexOf('\'')] : "value";
        return $"{m[keyStart..keyEnd]}: '{value}' is not a valid {type}";
    }
}
