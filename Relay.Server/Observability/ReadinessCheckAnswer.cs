namespace Relay.Server.Observability;

/// <summary>One check in <c>/readyz</c>: <c>healthy</c>, <c>degraded</c> or <c>unhealthy</c>, and a short reason.</summary>
public sealed record ReadinessCheckAnswer(string Status, string? Description);
