namespace Relay.Server.Observability;

/// <summary>The body of <c>/readyz</c>: the overall status and each check's, by name.</summary>
public sealed record ReadinessAnswer(string Status, Dictionary<string, ReadinessCheckAnswer> Checks);
