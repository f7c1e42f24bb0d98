using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Relay.Chat.Channels;

namespace Relay.Chat.Orders.BuiltIn;

/// <summary>
/// The built-in order API (the default order endpoint) and the relay's own view of a channel's orders.
/// Bad input is a 400 problem naming the field; nothing here answers 500 for what a caller sent.
/// </summary>
internal static class OrdersApi
{
    private const int MaxKeyLength = 200;
    private const int MaxBodyBytes = 64 * 1024;

    /// <param name="builtInInUse">Orders:Endpoint is unset. Otherwise the built-in API is not mapped at all: it would
    /// be a second, unused door that takes Orders:ApiKey.</param>
    public static void Map(IEndpointRouteBuilder endpoints, bool builtInInUse)
    {
        if (builtInInUse)
        {
            endpoints.MapPost("/api/v1/orders", AcceptOrderAsync);
            endpoints.MapGet("/api/v1/orders", ListReceivedAsync);
        }
        endpoints.MapGet("/api/v1/channels/{id}/orders", ListChannelOrdersAsync);
    }

    private static async Task<IResult> AcceptOrderAsync(HttpContext http, OrderEndpoint endpoint, IBuiltInOrderStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        if (Bearer(http) is not { } presented) return Unauthorized(http);
        if (!endpoint.IsBuiltInKey(presented)) return Refused(http, presented);
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0 || key.Length > MaxKeyLength)
            return Invalid("Idempotency-Key", $"the Idempotency-Key header is required (at most {MaxKeyLength} characters)");
        if (http.Request.ContentLength > MaxBodyBytes) return Invalid("body", $"at most {MaxBodyBytes} bytes");

        OrderApiRequest? order;
        try
        {
            order = await JsonSerializer.DeserializeAsync<OrderApiRequest>(http.Request.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException ex)
        {
            return Invalid(string.IsNullOrEmpty(ex.Path) || ex.Path == "$" ? "body" : ex.Path.TrimStart('$', '.'), "not valid JSON for an order");
        }
        if (order is null) return Invalid("body", "an order object is required");
        var errors = new Dictionary<string, string[]>();
        Require(errors, "orderId", order.OrderId);
        Require(errors, "channelId", order.ChannelId);
        Require(errors, "sku", order.Sku);
        Require(errors, "buyerId", order.BuyerId);
        if (order.Quantity < 1) errors["quantity"] = ["must be at least 1"];
        if (order.UnitPriceCents < 0) errors["unitPriceCents"] = ["must be 0 or more"];
        if (string.IsNullOrEmpty(order.Currency) || order.Currency.Length != 3) errors["currency"] = ["must be a 3-letter currency code"];
        if (errors.Count > 0) return Results.ValidationProblem(errors, title: "The order is not valid.");

        var response = JsonSerializer.Serialize(new { orderId = order.OrderId, status = OrderStatus.Confirmed });
        var answer = await store.AcceptAsync(key, order.OrderId, order.ChannelId, JsonSerializer.Serialize(order, JsonSerializerOptions.Web), response, time.GetUtcNow(), cancellationToken);
        // The same key again gets the first answer, byte for byte.
        return Results.Content(answer.ResponseJson, "application/json", Encoding.UTF8, StatusCodes.Status201Created);
    }

    private static async Task<IResult> ListReceivedAsync(HttpContext http, string? channel, OrderEndpoint endpoint, IChannelDirectory directory, IBuiltInOrderStore store, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(channel)) return Invalid("channel", "the channel query parameter is required");
        if (Bearer(http) is not { } presented) return Unauthorized(http);
        if (!endpoint.IsBuiltInKey(presented) && !await IsChannelOperatorAsync(directory, channel, presented, cancellationToken)) return Refused(http, presented);
        var (page, badPage) = ListPage.Read(http.Request);
        if (badPage is not null) return badPage;
        if (page is not null)
        {
            var rows = await store.ListBodiesAsync(channel, page.After, page.Limit + 1, cancellationToken);
            var next = rows.Count > page.Limit ? JsonSerializer.Serialize(rows[page.Limit - 1].Position.Encode()) : "null";
            return Results.Content("{\"items\":[" + string.Join(",", rows.Take(page.Limit).Select(r => r.BodyJson)) + "],\"nextCursor\":" + next + "}",
                "application/json", Encoding.UTF8);
        }
        var bodies = await store.ListBodiesAsync(channel, cancellationToken);
        return Results.Content("[" + string.Join(",", bodies) + "]", "application/json", Encoding.UTF8);
    }

    private static async Task<IResult> ListChannelOrdersAsync(HttpContext http, string id, IChannelDirectory directory, IOrderStore orders, CancellationToken cancellationToken)
    {
        if (Bearer(http) is not { } presented) return Unauthorized(http);
        if (!await IsChannelOperatorAsync(directory, id, presented, cancellationToken)) return Refused(http, presented);
        if (await directory.FindChannelAsync(id, cancellationToken) is null)
            return Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such channel.");
        var (page, badPage) = ListPage.Read(http.Request);
        if (badPage is not null) return badPage;
        if (page is not null)
        {
            var rows = await orders.ListByChannelAsync(id, page.After, page.Limit + 1, cancellationToken);
            var last = rows.Count > page.Limit ? rows[page.Limit - 1] : null;
            return Results.Json(new
            {
                items = rows.Take(page.Limit).Select(OrderView),
                nextCursor = last is null ? null : new ListCursor(last.CreatedAt.ToUnixTimeMilliseconds(), last.OrderId).Encode(),
            });
        }
        var list = await orders.ListByChannelAsync(id, cancellationToken);
        return Results.Json(list.Select(OrderView));
    }

    private static object OrderView(OrderRecord o) => new
    {
        orderId = o.OrderId, status = o.Status, sku = o.Sku, quantity = o.Quantity, unitPriceCents = o.UnitPriceCents,
        currency = o.Currency, buyerId = o.BuyerId, referrer = o.Referrer, createdAt = o.CreatedAt,
        flashSale = o.FlashSale, attempts = o.Attempts, lastError = o.LastError,
    };

    private static async Task<bool> IsChannelOperatorAsync(IChannelDirectory directory, string channelId, string presented, CancellationToken cancellationToken) =>
        await directory.IsAdminTokenAsync(presented, cancellationToken) || await directory.IsHostKeyAsync(channelId, presented, cancellationToken);

    private static string? Bearer(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return null;
        var token = header["Bearer ".Length..].Trim();
        return token.Length > 0 ? token : null;
    }

    private static void Require(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxKeyLength) errors[field] = [$"is required (at most {MaxKeyLength} characters)"];
    }

    private static IResult Invalid(string field, string message) =>
        Results.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: $"Invalid {field}.");

    private static IResult Unauthorized(HttpContext http)
    {
        // RFC 6750: a 401 names the scheme the client should use.
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid bearer token is required.");
    }

    /// <summary>A token that is no credential at all (unknown, rotated) is 401; a real one that does not reach here is 403.</summary>
    private static IResult Refused(HttpContext http, string presented) =>
        http.RequestServices.GetRequiredService<IHostCredentials>().IsKnownCredential(presented)
            || http.RequestServices.GetRequiredService<OrderEndpoint>().IsBuiltInKey(presented)
            ? Forbidden()
            : Unauthorized(http);

    private static IResult Forbidden() =>
        Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The bearer token does not grant access here.");
}
