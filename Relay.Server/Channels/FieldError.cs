namespace Relay.Server.Channels;

/// <summary>A problem with one input field. <see cref="Field"/> is a JSON path such as <c>lineup[2].sku</c>.</summary>
public sealed record FieldError(string Field, string Message);
