using System.Text;
using System.Text.Json;

namespace Relay.Tests.Common.Hosts;

/// <summary>A fresh Relay per test (xunit creates the class per test), plus JSON helpers for its API.</summary>
public abstract class RelayServerTest : IAsyncLifetime
{
    protected RelayTestServer Server { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Server = await RelayTestServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected static StringContent Json(string json) => JsonBody(json);

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    protected static async Task<JsonElement> ReadAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
