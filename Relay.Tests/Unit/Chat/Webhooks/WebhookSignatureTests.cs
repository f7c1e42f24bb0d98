using Relay.Chat.Webhooks;

namespace Relay.Tests.Unit.Chat.Webhooks;

/// <summary>Standard Webhooks signing as the specification's own example computes it, and the secret rule.</summary>
public sealed class WebhookSignatureTests
{
    [Fact]
    public void The_specifications_example_signs_to_its_published_signature()
    {
        var key = WebhookSecret.TryParse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", out var problem);
        Assert.Null(problem);
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
            WebhookSignature.Sign(key!, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}"u8));
    }

    [Fact]
    public void A_plain_secret_is_its_UTF8_bytes_and_a_short_or_broken_one_is_refused_without_repeating_it()
    {
        Assert.Equal("a plain-text secret of 24+ bytes"u8.ToArray(), WebhookSecret.TryParse("a plain-text secret of 24+ bytes", out _));
        Assert.Null(WebhookSecret.TryParse("short-secret-value", out var tooShort));
        Assert.Contains("at least 24 bytes", tooShort);
        Assert.DoesNotContain("short-secret-value", tooShort);
        Assert.Null(WebhookSecret.TryParse("whsec_not base64!", out var broken));
        Assert.Contains("not base64", broken);
        Assert.Null(WebhookSecret.TryParse("whsec_AAAA", out var shortKey));
        Assert.Contains("was 3", shortKey);
    }
}
