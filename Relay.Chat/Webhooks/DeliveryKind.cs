namespace Relay.Chat.Webhooks;

/// <summary>What an answer of a webhook (the order API, the CRM) means for the delivery (CONTRACT.md v2 "Order API": the same classes for both).</summary>
internal enum DeliveryKind
{
    /// <summary>2xx: the API has the order.</summary>
    Confirmed,

    /// <summary>400, 422: the order itself is invalid; failed for good, stock released.</summary>
    Rejected,

    /// <summary>408, 409, 425, 429, 5xx, any other status, timeouts, connection errors: try again later.</summary>
    Retry,

    /// <summary>3xx, 401, 403, 404, 405: the endpoint or its key is wrong. Retried like <see cref="Retry"/> and never
    /// failed: the order is fine, and after the operator fixes the configuration it goes through.</summary>
    Misconfigured,
}
