using Microsoft.Extensions.Options;
using Relay.Ingest.Configuration;
using Relay.Ingest.Streams;

namespace Relay.Ingest.Slate;

/// <summary>
/// The per-channel slate pictures, one file per channel under <c>{DataDir}/slate/images</c>: a picture there is used
/// for the channel's slate (keyed by its write time, so a new one is encoded at the next go-live). The upload API
/// (<c>PUT/DELETE /api/v1/channels/{id}/slate</c>) is not built yet; <see cref="SaveAsync"/> and <see cref="Delete"/>
/// are what it will call. A channel without one gets the default text.
/// </summary>
public sealed class SlateImages(IOptions<IngestOptions> options)
{
    /// <summary>Largest picture accepted: a full-HD PNG is well under it.</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    private string Folder => Path.Combine(options.Value.DataDir, "slate", "images");

    /// <summary>The channel's picture and a stamp that changes when it is replaced; null when it has none.</summary>
    public (string Path, long Stamp)? Find(string channelId)
    {
        if (!ChannelIds.IsSafe(channelId))
        {
            return null;
        }

        var path = Path.Combine(Folder, channelId);
        var info = new FileInfo(path);
        return info.Exists ? (path, info.LastWriteTimeUtc.Ticks) : null;
    }

    /// <summary>Stores the channel's picture (already checked by the caller), replacing any previous one.</summary>
    public async Task SaveAsync(string channelId, ReadOnlyMemory<byte> picture, CancellationToken cancellationToken)
    {
        if (!ChannelIds.IsSafe(channelId))
        {
            throw new ArgumentException("not a channel id", nameof(channelId));
        }

        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, channelId);
        var temporary = path + ".tmp";
        await File.WriteAllBytesAsync(temporary, picture.ToArray(), cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Back to the default slate; false when the channel had no picture.</summary>
    public bool Delete(string channelId)
    {
        if (Find(channelId) is not { } found)
        {
            return false;
        }

        File.Delete(found.Path);
        return true;
    }
}
