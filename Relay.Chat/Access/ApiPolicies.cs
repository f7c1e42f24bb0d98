namespace Relay.Chat.Access;

/// <summary>The authorization policies of the REST API (registered by <see cref="ApiAuthentication"/>).</summary>
public static class ApiPolicies
{
    /// <summary>The admin token only (creating, listing, deleting channels; redelivering an order).</summary>
    public const string Admin = "admin";

    /// <summary>The admin token, or the host key of the channel named by the route's <c>{id}</c>.</summary>
    public const string ChannelHost = "channel-host";

    /// <summary>The built-in order API's key only (what the dispatcher sends to <c>POST /api/v1/orders</c>).</summary>
    public const string OrderApi = "order-api";

    /// <summary>The built-in order API's key, the admin token, or the host key of the <c>?channel=</c> channel.</summary>
    public const string OrderListReader = "order-list-reader";

    /// <summary>Who passes each policy, in words (for the OpenAPI document).</summary>
    public static string Describe(string policy) => policy switch
    {
        Admin => "the admin token",
        ChannelHost => "the admin token or the host key of the channel {id}",
        OrderApi => "the built-in order API's key",
        OrderListReader => "the built-in order API's key, the admin token or the host key of ?channel=",
        _ => policy,
    };

    /// <summary>What a 403 under each policy tells the caller (no secret in it, only which credential would do).</summary>
    public static string ForbiddenDetail(string? policy) => policy switch
    {
        Admin => "this endpoint needs the admin token",
        ChannelHost => "use the admin token or this channel's host key",
        OrderApi => "only the built-in order API's key may post orders",
        OrderListReader => "use the order API's key, the admin token or this channel's host key",
        _ => "this credential does not reach this endpoint",
    };
}
