namespace Relay.Server.Apis.Views;

/// <summary>The new host key, whole, in the answer to its rotation.</summary>
public sealed record HostKeyAnswer(string HostKey);
