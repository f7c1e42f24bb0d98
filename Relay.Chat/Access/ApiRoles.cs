namespace Relay.Chat.Access;

/// <summary>What a bearer credential is, as a role on the principal <see cref="RelayBearerHandler"/> makes.</summary>
public static class ApiRoles
{
    public const string Admin = "admin";

    /// <summary>A channel's host key; which channel is checked against the route by <see cref="ChannelHostRequirement"/>.</summary>
    public const string Host = "host";

    /// <summary>The built-in order API's key (only while the built-in order API is in use).</summary>
    public const string OrderApi = "order-api";
}
