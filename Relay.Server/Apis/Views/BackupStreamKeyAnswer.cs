namespace Relay.Server.Apis.Views;

/// <summary>The backup stream key whole: the rotation's answer and the explicit reveal.</summary>
public sealed record BackupStreamKeyAnswer(string BackupStreamKey);
