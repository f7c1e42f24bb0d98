using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.SignalR.Client;
using Relay.Tests.Common.Chat;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.Integration.Chat;

/// <summary>
/// Review L10: the order lists can grow without bound. With `?limit=` they answer `{items, nextCursor}` pages (v2),
/// following `nextCursor` walks the whole list once in order, and without `limit` they keep the v1 array.
/// </summary>
public sealed class OrderListPagingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/v1/channels/show1/orders")]
    [InlineData("/api/v1/orders?channel=show1")]
    public async Task Pages_walk_the_whole_list_once_in_order_and_bad_paging_is_a_400_naming_the_field(string path)
    {
        await using var host = await ChatTestHost.StartAsync();
        await using var seller = await Buyers.JoinedAsync(host, "json", ChatTestHost.HostKey);
        await seller.InvokeAsync("Pin", "LIP-1", Ct);
        for (var i = 0; i < 7; i++)
        {
            await using var buyer = await Buyers.JoinedAsync(host, i % 2 == 0 ? "json" : "messagepack");
            Assert.Equal("reserved", (await buyer.BuyAsync("LIP-1", 1, $"k{i}")).Status);
        }
        // The built-in order API lists what it received: wait until every order was delivered.
        await Buyers.WaitForOrdersAsync(host, o => o.Count == 7 && o.All(x => x.Status == "confirmed"));

        using var http = host.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", InMemoryChannelDirectory.AdminToken);
        var separator = path.Contains('?') ? "&" : "?";
        var whole = JsonDocument.Parse(await http.GetStringAsync(path, Ct)).RootElement;
        Assert.Equal(JsonValueKind.Array, whole.ValueKind);
        var expected = whole.EnumerateArray().Select(o => o.GetProperty("orderId").GetString()).ToList();
        Assert.Equal(7, expected.Count);

        var walked = new List<string?>();
        var sizes = new List<int>();
        string? cursor = null;
        do
        {
            var page = JsonDocument.Parse(await http.GetStringAsync($"{path}{separator}limit=3" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}"), Ct)).RootElement;
            var items = page.GetProperty("items").EnumerateArray().ToList();
            sizes.Add(items.Count);
            walked.AddRange(items.Select(o => o.GetProperty("orderId").GetString()));
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal([3, 3, 1], sizes);
        Assert.Equal(expected, walked);

        // An exact fit ends with a null cursor, not an empty page.
        var all = JsonDocument.Parse(await http.GetStringAsync($"{path}{separator}limit=7", Ct)).RootElement;
        Assert.Equal(7, all.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, all.GetProperty("nextCursor").ValueKind);

        foreach (var (query, field) in new[]
        {
            ("limit=0", "limit"), ("limit=1001", "limit"), ("limit=abc", "limit"), ("limit=-1", "limit"), ("limit=1&limit=2", "limit"),
            ("limit=3&cursor=not-a-cursor", "cursor"), ("limit=3&cursor=", "cursor"), ("cursor=MTox", "limit"),
        })
        {
            using var response = await http.GetAsync($"{path}{separator}{query}", Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement;
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{query}: {problem}");
        }
    }
}
