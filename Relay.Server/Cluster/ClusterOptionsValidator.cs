using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Relay.Server.Cluster;

/// <summary>
/// One line per problem, naming the key. Messages avoid ';' (the startup report splits on it) and never repeat a
/// connection string, which may carry a password.
/// </summary>
public sealed class ClusterOptionsValidator : IValidateOptions<ClusterOptions>
{
    public const int MinLeaseSeconds = 3;
    public const int MaxLeaseSeconds = 120;

    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        var failures = new List<string>();
        var hasPostgres = !string.IsNullOrWhiteSpace(options.Postgres.ConnectionString);
        var hasRedis = !string.IsNullOrWhiteSpace(options.Redis.Configuration);
        if (hasPostgres != hasRedis)
        {
            failures.Add(hasPostgres
                ? "Relay:Redis:Configuration: a node of a cluster needs Redis as well as PostgreSQL (set both, or neither for the embedded store)"
                : "Relay:Postgres:ConnectionString: a node of a cluster needs PostgreSQL as well as Redis (set both, or neither for the embedded store)");
        }

        if (hasPostgres)
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(options.Postgres.ConnectionString);
                if (string.IsNullOrWhiteSpace(builder.Host))
                {
                    failures.Add("Relay:Postgres:ConnectionString: no Host (e.g. Host=db.internal)");
                }
            }
            catch (ArgumentException e)
            {
                failures.Add($"Relay:Postgres:ConnectionString: not a valid connection string ({Clean(e.Message)})");
            }
        }

        if (hasRedis)
        {
            try
            {
                var parsed = ConfigurationOptions.Parse(options.Redis.Configuration!);
                if (parsed.EndPoints.Count == 0)
                {
                    failures.Add("Relay:Redis:Configuration: no endpoint (e.g. redis.internal:6379)");
                }
            }
            catch (ArgumentException e)
            {
                failures.Add($"Relay:Redis:Configuration: not a valid configuration ({Clean(e.Message)})");
            }
        }

        if (options.Node.LeaseSeconds is < MinLeaseSeconds or > MaxLeaseSeconds)
        {
            failures.Add($"Relay:Node:LeaseSeconds: {options.Node.LeaseSeconds} is outside {MinLeaseSeconds}-{MaxLeaseSeconds}");
        }

        if (options.Node.Id is { } id && (id.Length is 0 or > 64 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')))
        {
            failures.Add("Relay:Node:Id: 1-64 characters of letters, digits, '-', '_' or '.'");
        }

        if (options.Node.InternalUrl is { Length: > 0 } url &&
            (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/" || uri.UserInfo.Length > 0))
        {
            failures.Add("Relay:Node:InternalUrl: an http(s) base URL without path or credentials (e.g. http://10.0.0.5:8080)");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Parser messages may quote the offending part: keep the key name, never a value.
    private static string Clean(string message)
    {
        var firstSentence = message.Split(['.', ';', '\n'], 2)[0];
        return firstSentence.Contains('=') || firstSentence.Contains("password", StringComparison.OrdinalIgnoreCase) ? "check its keys and values" : firstSentence;
    }
}
