using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Relay.Chat.Access;
using Relay.Chat.Channels;
using Relay.Chat.Http;

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
            endpoints.MapPost("/api/v1/orders", AcceptOrderAsync).RequireAuthorization(ApiPolicies.OrderApi)
                .WithTags("Built-in order API").WithSummary("Accept an order (Idempotency-Key header; the same key again answers the first answer)")
                .Accepts<OrderApiRequest>("application/json")
                // The answer is stored JSON replayed byte for byte (a ContentHttpResult), so its type is declared here.
                .Produces<OrderAnswer>(StatusCodes.Status201Created);
            endpoints.MapGet("/api/v1/orders", ListReceivedAsync).RequireAuthorization(ApiPolicies.OrderListReader)
                .WithTags("Built-in order API").WithSummary("The orders it received for ?channel=")
                .Produces<List<OrderApiRequest>>().WithMetadata(PagedList.Instance); // stored bodies joined as JSON text
        }
        endpoints.MapGet("/api/v1/channels/{id}/orders", ListChannelOrdersAsync).RequireAuthorization(ApiPolicies.ChannelHost)
            .WithTags("Orders").WithSummary("A channel's orders as the relay knows them")
            .WithMetadata(PagedList.Instance);
    }

    private static async Task<Results<ContentHttpResult, ValidationProblem>> AcceptOrderAsync(HttpContext http, IBuiltInOrderStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0 || key.Length > MaxKeyLength)
            return Invalid("Idempotency-Key", $"the Idempotency-Key header is required (at most {MaxKeyLength} characters)");
        if (http.Request.ContentLength > MaxBodyBytes) return Invalid("body", $"at most {MaxBodyBytes} bytes");

        OrderApiRequest? order;
        try
        {
            order = await JsonSerializer.DeserializeAsync(http.Request.Body, OrdersJsonContext.Default.OrderApiRequest, cancellationToken);
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
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors, title: "The order is not valid.");

        var response = JsonSerializer.Serialize(new OrderAnswer(order.OrderId, OrderStatus.Confirmed), OrdersJsonContext.Default.OrderAnswer);
        var answer = await store.AcceptAsync(key, order.OrderId, order.ChannelId, JsonSerializer.Serialize(order, OrdersJsonContext.Default.OrderApiRequest), response, time.GetUtcNow(), cancellationToken);
        // The same key again gets the first answer, byte for byte.
        return TypedResults.Content(answer.ResponseJson, "application/json", Encoding.UTF8, StatusCodes.Status201Created);
    }

    private static async Task<Results<ContentHttpResult, ValidationProblem>> ListReceivedAsync(HttpContext http, string? channel, IBuiltInOrderStore store, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(channel)) return Invalid("channel", "the channel query parameter is required");
        var (page, badPage) = ListPage.Read(http.Request);
        if (badPage is not null) return badPage;
        if (page is not null)
        {
            var rows = await store.ListBodiesAsync(channel, page.After, page.Limit + 1, cancellationToken);
            var next = rows.Count > page.Limit ? JsonSerializer.Serialize(rows[page.Limit - 1].Position.Encode(), OrdersJsonContext.Default.String) : "null";
            return TypedResults.Content("{\"items\":[" + string.Join(",", rows.Take(page.Limit).Select(r => r.BodyJson)) + "],\"nextCursor\":" + next + "}",
                "application/json", Encoding.UTF8);
        }
        var bodies = await store.ListBodiesAsync(channel, cancellationToken);
        return TypedResults.Content("[" + string.Join(",", bodies) + "]", "application/json", Encoding.UTF8);
    }

    // One schema per status in the document: the v1 array is declared last, so it is the 200 shown; ?limit= names the page.
    private static async Task<Results<Ok<ItemsPage<ChannelOrderView>>, Ok<List<ChannelOrderView>>, NotFoundProblem, ValidationProblem>> ListChannelOrdersAsync(HttpContext http, string id, IChannelDirectory directory, IOrderStore orders, CancellationToken cancellationToken)
    {
        if (await directory.FindChannelAsync(id, cancellationToken) is null)
            return new NotFoundProblem("No such channel.");
        var (page, badPage) = ListPage.Read(http.Request);
        if (badPage is not null) return badPage;
        if (page is not null)
        {
            var rows = await orders.ListByChannelAsync(id, page.After, page.Limit + 1, cancellationToken);
            var last = rows.Count > page.Limit ? rows[page.Limit - 1] : null;
            return TypedResults.Ok(new ItemsPage<ChannelOrderView>(
                rows.Take(page.Limit).Select(ChannelOrderView.Of).ToList(),
                last is null ? null : new ListCursor(last.CreatedAt.ToUnixTimeMilliseconds(), last.OrderId).Encode()));
        }
        var list = await orders.ListByChannelAsync(id, cancellationToken);
        return TypedResults.Ok(list.Select(ChannelOrderView.Of).ToList());
    }

    private static void Require(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > MaxKeyLength) errors[field] = [$"is required (at most {MaxKeyLength} characters)"];
    }

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] }, title: $"Invalid {field}.");
}
