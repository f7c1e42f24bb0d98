using Relay.Chat.Http;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Relay.Chat;
using Relay.Chat.Contracts;
using Relay.Chat.Hubs;
using Relay.Chat.Identity;
using Relay.Chat.Orders;
using Relay.Ingest.Consumers.Recording;
using Relay.Ingest.Egress;
using Relay.Ingest.Streams;
using Relay.Server.Apis;
using Relay.Server.Apis.Requests;
using Relay.Server.Apis.Views;
using Relay.Server.Observability;
using Relay.Server.Store;
using LineupItem = Relay.Chat.Channels.LineupItem;

namespace Relay.Tests.Unit.Wire;

/// <summary>
/// Every JSON the app writes or reads goes through a source-generated context (NativeAOT has no reflection-based
/// serializer): the contexts cover every wire type, the framework's options hold no reflection fallback, and the bytes
/// are the ones the reflection-based serializer wrote before (the wire does not change).
/// </summary>
public sealed class SourceGeneratedJsonTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 3, 4, 5, 678, TimeSpan.Zero);

    /// <summary>What LiveHub takes and returns and what ILiveClient sends: the JSON hub protocol serializes each.</summary>
    public static TheoryData<Type> HubWireTypes()
    {
        var hubMethods = typeof(LiveHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name != nameof(Hub.OnDisconnectedAsync));
        var types = hubMethods.Concat(typeof(ILiveClient).GetMethods())
            .SelectMany(m => m.GetParameters().Select(p => p.ParameterType)
                .Concat(m.ReturnType.IsGenericType && m.ReturnType.GetGenericTypeDefinition() == typeof(Task<>) ? [m.ReturnType.GetGenericArguments()[0]] : []))
            .Distinct();
        var data = new TheoryData<Type>();
        foreach (var type in types) data.Add(type);
        return data;
    }

    [Theory]
    [MemberData(nameof(HubWireTypes))]
    public void The_hub_protocol_options_resolve_every_hub_argument_result_and_event(Type type)
    {
        AssertResolvesWithoutReflection(ChatServices().GetRequiredService<IOptions<JsonHubProtocolOptions>>().Value.PayloadSerializerOptions, type);
    }

    [Fact]
    public void The_hub_sees_types_beyond_strings()
    {
        // Guards the theory above against a reflection walk that finds only primitives.
        var types = HubWireTypes().Select(row => row.Data).ToList();
        Assert.Contains(typeof(JoinSnapshot), types);
        Assert.Contains(typeof(PurchaseRequest), types);
        Assert.Contains(typeof(StockEvent), types);
    }

    public static TheoryData<Type> ApiWireTypes()
    {
        // Every answer and documented request of the REST API, the collections handlers answer, the values read field by field.
        var data = new TheoryData<Type>();
        foreach (var type in typeof(ChannelView).Assembly.GetTypes()
                     .Where(t => t.Namespace is "Relay.Server.Apis.Views" or "Relay.Server.Apis.Requests" && !(t.IsAbstract && t.IsSealed) && !t.IsNested
                                 && t.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() is null))
        {
            data.Add(type);
        }
        foreach (var type in new[]
                 {
                     typeof(List<ChannelSummary>), typeof(List<DestinationView>), typeof(List<PlatformView>), typeof(List<RecordingView>),
                     typeof(IReadOnlyList<LineupItem>), typeof(List<LineupItem>), typeof(LineupItem[]),
                     typeof(string), typeof(bool?), typeof(int?), typeof(long), typeof(double?),
                 })
        {
            data.Add(type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ApiWireTypes))]
    public void The_api_context_resolves_every_answer_and_request(Type type) =>
        Assert.NotNull(ApiJsonContext.Default.GetTypeInfo(type));

    [Theory]
    [InlineData(typeof(OrderApiRequest))]
    [InlineData(typeof(List<OrderApiRequest>))]
    [InlineData(typeof(OrderAnswer))]
    [InlineData(typeof(List<ChannelOrderView>))]
    [InlineData(typeof(ItemsPage<ChannelOrderView>))]
    [InlineData(typeof(MintedGuest))]
    public void The_chat_http_options_resolve_every_order_and_guest_answer(Type type)
    {
        AssertResolvesWithoutReflection(ChatServices().GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions, type);
    }

    [Fact]
    public void A_type_no_context_lists_is_refused_not_serialized_by_reflection()
    {
        var options = ChatServices().GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        Assert.Throws<NotSupportedException>(() => options.GetTypeInfo(typeof(Unlisted)));
    }

    [Fact]
    public void Channel_details_are_the_bytes_reflection_wrote()
    {
        var details = new ChannelDetails("demo", "Demo \"show\" <b>", true, false, new DateTimeOffset(2026, 12, 24, 12, 0, 0, TimeSpan.Zero),
            new IngestStatus(true, false, At, "h264", "aac", 1280, 720, 30, 2500.5, 2),
            "live_…abcd", "rtmp://h/live", "http://h/watch/demo", "http://h/studio/demo",
            [Destination(new EgressProfile(VideoBitrateKbps: 2500, Aspect: "16:9")), Destination(null)],
            [new LineupItem("MUG-1", "Mug é", 1999, "EUR", null, 5), new LineupItem("TEE", "Tee", 0, "USD", "https://x/i.png", null)]);
        AssertSameBytes(details, Web(), ApiJsonContext.Default.ChannelDetails);
    }

    [Fact]
    public void Lists_answered_through_an_interface_are_the_bytes_reflection_wrote()
    {
        IReadOnlyList<LineupItem> lineup = new List<LineupItem> { new("A", "a", 1, "EUR", null, null) };
        AssertSameBytes(lineup, Web(), ApiJsonContext.Default.IReadOnlyListLineupItem);
        AssertSameBytes(new List<RecordingView> { new("20261207-030405", At, null, 12.345, 1000, true, "/r/a.flv", "/r/a.timeline.json") },
            Web(), ApiJsonContext.Default.ListRecordingView);
    }

    [Fact]
    public void A_stored_profile_is_the_bytes_reflection_wrote_and_reads_back()
    {
        var profile = new EgressProfile(VideoBitrateKbps: 2500, MaxHeight: 720, KeyframeIntervalSeconds: 2);
        var reflection = new JsonSerializerOptions(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };
        AssertSameBytes(profile, reflection, StoreJsonContext.Default.EgressProfile);
        Assert.Equal(profile, JsonSerializer.Deserialize(JsonSerializer.Serialize(profile, reflection), StoreJsonContext.Default.EgressProfile));
    }

    [Fact]
    public void The_readiness_answer_is_the_bytes_of_the_anonymous_shape_it_replaced()
    {
        var before = new
        {
            status = "unhealthy",
            checks = new Dictionary<string, object> { ["store"] = new { status = "healthy", description = (string?)"ok" }, ["ffmpeg"] = new { status = "unhealthy", description = (string?)null } },
        };
        var after = new ReadinessAnswer("unhealthy", new() { ["store"] = new("healthy", "ok"), ["ffmpeg"] = new("unhealthy", null) });
        Assert.Equal(JsonSerializer.Serialize(before, Web()), JsonSerializer.Serialize(after, HealthJsonContext.Default.ReadinessAnswer));
    }

    [Fact]
    public void A_recording_timeline_is_the_bytes_reflection_wrote()
    {
        var payload = JsonSerializer.SerializeToElement(new ProductView { Sku = "MUG", Title = "Mug", PriceCents = 1999, Currency = "EUR", Stock = 3 },
            HubJsonContext.Default.ProductView);
        var timeline = new RecordingTimeline(1, "demo", "20261207-030405", At, null, null,
            [new TimelineEvent(1.5, At, "pinned", payload), new TimelineEvent(2, At, "unpinned", null)]);
        var reflection = new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true };
        AssertSameBytes(timeline, reflection, RecordingJsonContext.Default.RecordingTimeline);
    }

    [Fact]
    public void A_timeline_marker_payload_is_the_json_reflection_made_of_the_event()
    {
        var sale = new FlashSaleView { Sku = "MUG", PriceCents = 999, Currency = "EUR", Quantity = 5, Remaining = 4, EndsAt = At.UtcDateTime, Active = true };
        Assert.Equal(JsonSerializer.SerializeToElement(sale, sale.GetType(), Web()).GetRawText(),
            JsonSerializer.SerializeToElement(sale, HubJsonContext.Default.FlashSaleView).GetRawText());
    }

    [Fact]
    public void Order_bodies_and_answers_are_the_bytes_reflection_wrote()
    {
        var order = new OrderApiRequest("o-1", "demo", "MUG", 2, 1999, "EUR", "b-1", "Alice S.", null, true, At);
        AssertSameBytes(order, JsonSerializerOptions.Web, OrdersJsonContext.Default.OrderApiRequest);
        AssertSameBytes(new OrderAnswer("o-1", OrderStatus.Confirmed), JsonSerializerOptions.Web, OrdersJsonContext.Default.OrderAnswer);
        Assert.Equal(order, JsonSerializer.Deserialize(JsonSerializer.Serialize(order, JsonSerializerOptions.Web), OrdersJsonContext.Default.OrderApiRequest));
        AssertSameBytes(new MintedGuest("g_1", "guest.abc", At), Web(), IdentityJsonContext.Default.MintedGuest);
    }

    [Fact]
    public void An_order_page_is_the_bytes_of_the_anonymous_shape_it_replaced()
    {
        var views = new List<ChannelOrderView> { new("o-1", "pending", "MUG", 1, 1999, "EUR", "b-1", null, At, false, 0, null) };
        var before = JsonSerializer.Serialize(new { items = views.Select(v => v), nextCursor = (string?)"abc" }, Web());
        Assert.Equal(before, JsonSerializer.Serialize(new ItemsPage<ChannelOrderView>(views, "abc"), OrdersJsonContext.Default.ItemsPageChannelOrderView));
        AssertSameBytes(views, Web(), OrdersJsonContext.Default.ListChannelOrderView);
    }

    [Fact]
    public void A_join_snapshot_on_the_hub_is_the_bytes_reflection_wrote()
    {
        var snapshot = new JoinSnapshot
        {
            ChannelId = "demo", Title = "Demo", Live = true, Viewers = 3,
            Pinned = new ProductView { Sku = "MUG", Title = "Mug", PriceCents = 1999, Currency = "EUR" },
            Lineup = [new ProductView { Sku = "MUG", Title = "Mug", PriceCents = 1999, Currency = "EUR", ImageUrl = "https://x/m.png", Stock = 2 }],
            FlashSale = new FlashSaleView { Sku = "MUG", PriceCents = 999, Currency = "EUR", Quantity = 5, Remaining = 5, EndsAt = At.UtcDateTime, Active = true },
            RecentMessages = [new ChatMessageView { Id = "m1", UserId = "p_1", DisplayName = "Bob", Text = "hi </script>", At = At.UtcDateTime, Role = "guest" }],
            SlowModeSeconds = 0,
            You = new ParticipantView { UserId = "p_1", DisplayName = "Bob", Role = "guest" },
        };
        // SignalR's defaults, no resolver set: the serializer falls back to reflection (as the app did before).
        var reflection = new JsonHubProtocolOptions().PayloadSerializerOptions;
        var generated = ChatServices().GetRequiredService<IOptions<JsonHubProtocolOptions>>().Value.PayloadSerializerOptions;
        Assert.Equal(JsonSerializer.Serialize(snapshot, reflection), JsonSerializer.Serialize(snapshot, generated.GetTypeInfo(typeof(JoinSnapshot))));
    }

    private static DestinationView Destination(EgressProfile? profile) =>
        new("yt", "YouTube", "youtube", "rtmp://a.rtmp.youtube.com/live2/…", null, true, EgressEngines.Auto, profile, "live", 2, null, 2480.25, 7, ["keyframe interval 4 s"], 754);

    /// <summary>The options the app wrote with before: ASP.NET Core's and the app's own were the web defaults.</summary>
    private static JsonSerializerOptions Web() => new(JsonSerializerDefaults.Web);

    private static void AssertSameBytes<T>(T value, JsonSerializerOptions reflection, JsonTypeInfo<T> generated)
    {
        var before = JsonSerializer.Serialize(value, reflection);
        Assert.Equal(before, JsonSerializer.Serialize(value, generated));
        // The framework serializes through its own options, where the context is a resolver: the same bytes there too.
        var asResolver = new JsonSerializerOptions(generated.Options) { TypeInfoResolver = generated.Options.TypeInfoResolver };
        Assert.Equal(before, JsonSerializer.Serialize(value, (JsonTypeInfo<T>)asResolver.GetTypeInfo(typeof(T))));
    }

    private static void AssertResolvesWithoutReflection(JsonSerializerOptions options, Type type)
    {
        // An empty chain would mean "reflection by default" in a JIT build: the contexts must be there, reflection not.
        Assert.NotEmpty(options.TypeInfoResolverChain);
        Assert.DoesNotContain(options.TypeInfoResolverChain, r => r is DefaultJsonTypeInfoResolver);
        Assert.NotNull(options.GetTypeInfo(type));
    }

    private static ServiceProvider ChatServices() =>
        new ServiceCollection().AddLogging().AddRelayChat(new ConfigurationBuilder().Build()).BuildServiceProvider();

    private sealed record Unlisted(string Name);
}
