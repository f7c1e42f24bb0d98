using System.Net;
using Relay.Ingest.Publishing;

namespace Relay.Tests.Unit.Ingest.Publishing;

public class PublishDecisionTests
{
    [Fact]
    public void A_publish_request_never_prints_its_key()
    {
        var request = new PublishRequest("live", "super-secret-key", new IPEndPoint(IPAddress.Loopback, 5000));
        Assert.DoesNotContain("super-secret-key", request.ToString());
        Assert.Contains("127.0.0.1:5000", request.ToString());
    }

    [Fact]
    public void Decisions_are_either_a_channel_or_a_reason()
    {
        var accepted = PublishDecision.Accept("demo");
        Assert.True(accepted.Accepted);
        Assert.Equal("demo", accepted.ChannelId);
        Assert.Null(accepted.Reason);

        var rejected = PublishDecision.Reject(PublishRejectReason.BadKey);
        Assert.False(rejected.Accepted);
        Assert.Null(rejected.ChannelId);
        Assert.Equal("bad_key", rejected.Reason);

        Assert.Throws<ArgumentException>(() => PublishDecision.Accept(" "));
        Assert.Throws<ArgumentException>(() => PublishDecision.Reject(""));
    }
}
