using System.Net;
using System.Net.Http.Json;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Common.Chat;

/// <summary>`POST /api/v1/guests` from a test.</summary>
public static class Guests
{
    public sealed record Minted(string GuestId, string GuestToken, DateTimeOffset ExpiresAt);

    public static async Task<Minted> MintAsync(ChatTestHost host)
    {
        using var http = host.Http();
        using var response = await http.PostAsync("/api/v1/guests", null, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Minted>(TestContext.Current.CancellationToken))!;
    }

    /// <summary>Settings that let a test mint as many guests as it likes from 127.0.0.1.</summary>
    public static Dictionary<string, string?> Unlimited(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Relay:Guests:MintBurstPerAddress"] = "10000",
            ["Relay:Guests:MintsPerMinutePerAddress"] = "60000",
        };
        foreach (var (k, v) in more ?? []) settings[k] = v;
        return settings;
    }
}
