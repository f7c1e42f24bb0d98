using Relay.Chat.Diagnostics;
using Relay.Chat.Webhooks;

namespace Relay.Chat.Orders;

/// <summary>The label values of the order metrics (<see cref="ChatMetrics.Orders"/>, <see cref="ChatMetrics.OrderApiDuration"/>),
/// kept beside the states they name so Diagnostics knows nothing of orders.</summary>
internal static class OrderMetricLabels
{
    public static string Outcome(DeliveryKind? kind) => kind switch
    {
        DeliveryKind.Confirmed => "confirmed",
        DeliveryKind.Rejected => "rejected",
        DeliveryKind.Retry => "retry",
        DeliveryKind.Misconfigured => "misconfigured",
        _ => "canceled",
    };

    /// <summary>
    /// A labelled child exists only after its first use, and Prometheus' rate()/increase() cannot see the step
    /// from "absent" to 1: the first retry of a healthy order API would vanish from the error ratio. Children of
    /// these fixed label sets are created up front so they are exported at 0 from the start.
    /// </summary>
    public static void ExportAtZero()
    {
        foreach (var outcome in new DeliveryKind?[] { DeliveryKind.Confirmed, DeliveryKind.Rejected, DeliveryKind.Retry, DeliveryKind.Misconfigured, null })
            ChatMetrics.OrderApiDuration.WithLabels(Outcome(outcome));
        foreach (var status in new[] { OrderStatus.Confirmed, OrderStatus.Failed, OrderStatus.DeadLetter })
            ChatMetrics.Orders.WithLabels(status);
    }
}
