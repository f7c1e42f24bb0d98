using Relay.Ingest.Publishing;

namespace Relay.Tests.Unit.Ingest.Publishing;

public class PublishNameTests
{
    [Theory]
    [InlineData("sk_abc", "sk_abc", false)]
    [InlineData("sk_abc?bandwidthtest", "sk_abc", true)]
    [InlineData("sk_abc?BandwidthTest", "sk_abc", true)]
    [InlineData("sk_abc?test", "sk_abc", true)]
    [InlineData("?bandwidthtest", "?bandwidthtest", false)]
    [InlineData("sk_abc?testing", "sk_abc?testing", false)]
    [InlineData("sk_abc?other=1", "sk_abc?other=1", false)]
    public void OBS_bandwidth_test_suffixes_mark_a_test_publish_of_the_plain_key(string name, string key, bool test)
    {
        var parsed = PublishName.Parse(name);
        Assert.Equal(key, parsed.StreamKey);
        Assert.Equal(test, parsed.TestPublish);
        Assert.DoesNotContain("sk_", parsed.ToString());
    }
}
