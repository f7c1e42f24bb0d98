using Microsoft.Extensions.Options;

namespace Relay.Ingest.Configuration;

/// <summary>Collects every problem in <see cref="IngestOptions"/> so one start reports them all.</summary>
public sealed class IngestOptionsValidator : IValidateOptions<IngestOptions>
{
    public ValidateOptionsResult Validate(string? name, IngestOptions options)
    {
        var errors = new List<string>();
        const string p = IngestOptions.SectionName;

        if (options.RtmpPort is < 0 or > 65535)
        {
            errors.Add($"{p}:RtmpPort must be 0-65535 (got {options.RtmpPort})");
        }

        if (!System.Net.IPAddress.TryParse(options.RtmpBindAddress, out _))
        {
            errors.Add($"{p}:RtmpBindAddress must be an IP address (got '{options.RtmpBindAddress}')");
        }

        if (string.IsNullOrWhiteSpace(options.App) || options.App.Contains('/'))
        {
            errors.Add($"{p}:App must be a non-empty name without '/' (got '{options.App}')");
        }

        if (string.IsNullOrWhiteSpace(options.FfmpegPath))
        {
            errors.Add($"{p}:FfmpegPath must not be empty");
        }

        Positive(options.HandshakeTimeoutSeconds, "HandshakeTimeoutSeconds", 300);
        Positive(options.InactivityTimeoutSeconds, "InactivityTimeoutSeconds", 3600);
        Positive(options.MaxAuthBackoffSeconds, "MaxAuthBackoffSeconds", 86400);
        Positive(options.FirstByteTimeoutSeconds, "FirstByteTimeoutSeconds", 300);
        Positive(options.BlockedKeyCheckDelaySeconds, "BlockedKeyCheckDelaySeconds", 300);
        Positive(options.MaxPublishStartsPerChannelPerMinute, "MaxPublishStartsPerChannelPerMinute", 10_000);
        if (!(options.SlateSeconds >= 0 && options.SlateSeconds <= 3600))
        {
            errors.Add($"{p}:SlateSeconds must be 0 (slate off) to 3600 (got {options.SlateSeconds})");
        }

        if (!IngestOptions.SlateLanguages.Contains(options.SlateLanguage))
        {
            errors.Add($"{p}:SlateLanguage must be one of {string.Join(", ", IngestOptions.SlateLanguages)} (got '{options.SlateLanguage}')");
        }

        if (options.MaxPendingConnectionsPerIp > options.MaxPendingConnections)
        {
            errors.Add($"{p}:MaxPendingConnectionsPerIp ({options.MaxPendingConnectionsPerIp}) must not exceed {p}:MaxPendingConnections ({options.MaxPendingConnections})");
        }

        if (options.RtmpsPort is { } rtmps)
        {
            if (rtmps is < 0 or > 65535)
            {
                errors.Add($"{p}:RtmpsPort must be 0-65535 (got {rtmps})");
            }
            else if (rtmps == options.RtmpPort && rtmps != 0)
            {
                errors.Add($"{p}:RtmpsPort must differ from {p}:RtmpPort");
            }

            if (string.IsNullOrWhiteSpace(options.RtmpsCertificatePath))
            {
                errors.Add($"{p}:RtmpsCertificatePath is required when {p}:RtmpsPort is set");
            }
            else if (!File.Exists(options.RtmpsCertificatePath))
            {
                errors.Add($"{p}:RtmpsCertificatePath '{options.RtmpsCertificatePath}' does not exist");
            }
        }

        if (options.SrtPort is < 0 or > 65535)
        {
            errors.Add($"{p}:SrtPort must be 0-65535, 0 = off (got {options.SrtPort})");
        }

        if (options.SrtLatencyMs is < 20 or > 8000)
        {
            errors.Add($"{p}:SrtLatencyMs must be 20-8000 (got {options.SrtLatencyMs})");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Positive(double value, string key, double max)
        {
            if (!(value > 0) || value > max)
            {
                errors.Add($"{p}:{key} must be greater than 0 and at most {max} (got {value})");
            }
        }
    }
}
