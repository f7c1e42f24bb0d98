using System.Reflection;

namespace Relay.Tests.Unit;

/// <summary>
/// <c>./test.sh --lane X</c> selects tests by namespace, so a test class outside the four lane namespaces would run
/// only in the whole suite and never in its lane. This keeps every test class in a lane.
/// </summary>
public sealed class TestLaneTests
{
    /// <summary>The namespaces test.sh's lanes filter on (keep in step with test.sh).</summary>
    public static readonly string[] Lanes = ["Relay.Tests.Unit.", "Relay.Tests.Integration.", "Relay.Tests.EndToEnd.", "Relay.Tests.Faults."];

    [Fact]
    public void Every_test_class_lives_in_a_lane_namespace()
    {
        var testClasses = TestClasses().ToList();
        Assert.NotEmpty(testClasses);
        var outside = testClasses.Where(t => !Lanes.Any(lane => (t.Namespace + ".").StartsWith(lane, StringComparison.Ordinal))).Select(t => t.FullName).ToList();
        Assert.True(outside.Count == 0, "test classes outside the lanes (move them under Unit/, Integration/, EndToEnd/ or Faults/): " + string.Join(", ", outside));
    }

    [Fact]
    public void The_lane_guard_sees_this_class_in_the_unit_lane()
    {
        Assert.Contains(typeof(TestLaneTests), TestClasses());
        Assert.StartsWith(Lanes[0], typeof(TestLaneTests).FullName, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_sh_filters_on_the_same_lane_namespaces()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "test.sh"))) dir = dir.Parent;
        Assert.NotNull(dir);
        var script = File.ReadAllText(Path.Combine(dir.FullName, "test.sh"));
        Assert.All(Lanes, lane => Assert.Contains("FullyQualifiedName~" + lane, script, StringComparison.Ordinal));
    }

    private static IEnumerable<Type> TestClasses() =>
        typeof(TestLaneTests).Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract && t.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Any(m => m.GetCustomAttributes<FactAttribute>(inherit: true).Any()));
}
