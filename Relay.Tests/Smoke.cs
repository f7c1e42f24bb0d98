namespace Relay.Tests; public class Smoke { [Fact] public void Builds() => Assert.Equal(4, 2 + 2); }
