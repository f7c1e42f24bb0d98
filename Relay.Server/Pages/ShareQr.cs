using Microsoft.Extensions.Options;
using QRCoder;
using Relay.Chat.Referrals;
using Relay.Server.Channels;
using Relay.Server.Configuration;

namespace Relay.Server.Pages;

/// <summary>`GET /watch/{channelId}/qr.svg?ref={shareCode}`: the QR code of the watch page's share link
/// (`{base}/watch/{id}?ref={code}`), drawn on the server as SVG so the page needs no script for it. Only a known
/// channel and a well-formed share code (or none) are drawn; anything else is a 404 or 400 problem.</summary>
public static class ShareQr
{
    public static IResult Render(string channelId, string? shareCode, HttpRequest request, ChannelService channels, IOptions<RelayOptions> relay)
    {
        if (channels.Find(channelId) is null)
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such channel.");
        if (shareCode is not null && !ShareCodeFormat.IsWellFormed(shareCode))
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid ref.",
                detail: $"ref must be a share code: {ShareCodeFormat.Length} characters a-z and 2-7");
        var baseUrl = relay.Value.PublicBaseUrl is { Length: > 0 } configured ? configured.TrimEnd('/') : $"{request.Scheme}://{request.Host}";
        var link = $"{baseUrl}/watch/{Uri.EscapeDataString(channelId)}" + (shareCode is null ? "" : "?ref=" + shareCode);
        using var data = QRCodeGenerator.GenerateQrCode(link, QRCodeGenerator.ECCLevel.M);
        var svg = new SvgQRCode(data).GetGraphic(new System.Drawing.Size(256, 256), "#000000", "#ffffff", drawQuietZones: true);
        request.HttpContext.Response.Headers.CacheControl = "public, max-age=3600";
        return TypedResults.Content(svg, "image/svg+xml; charset=utf-8");
    }
}
