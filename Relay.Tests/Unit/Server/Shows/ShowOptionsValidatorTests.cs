using Relay.Server.Shows;

namespace Relay.Tests.Unit.Server.Shows;

public sealed class ShowOptionsValidatorTests
{
    [Theory]
    [InlineData(120, 10, null)]
    [InlineData(0, 1, null)]
    [InlineData(-1, 10, "Relay:Shows:MergeGapSeconds")]
    [InlineData(86401, 10, "Relay:Shows:MergeGapSeconds")]
    [InlineData(120, 0, "Relay:Shows:SampleSeconds")]
    [InlineData(120, 301, "Relay:Shows:SampleSeconds")]
    public void Each_setting_out_of_range_is_named(int gap, int sample, string? failing)
    {
        var result = new ShowOptionsValidator().Validate(null, new ShowOptions { MergeGapSeconds = gap, SampleSeconds = sample });
        if (failing is null)
        {
            Assert.True(result.Succeeded);
        }
        else
        {
            Assert.StartsWith(failing + ": ", Assert.Single(result.Failures!));
        }
    }

    [Fact]
    public void The_defaults_are_the_contracts()
    {
        var options = new ShowOptions();
        Assert.Equal(120, options.MergeGapSeconds);
        Assert.Equal(10, options.SampleSeconds);
    }
}
