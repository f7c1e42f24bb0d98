namespace Relay.Server.Apis.Views;

/// <summary>A stream key whole: the rotation's answer and the explicit reveal.</summary>
public sealed record StreamKeyAnswer(string StreamKey);
