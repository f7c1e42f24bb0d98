using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Playwright;
using Relay.Chat.Contracts;
using Relay.Tests.Common;
using Relay.Tests.Common.Browser;
using Relay.Tests.Common.Hosts;

namespace Relay.Tests.EndToEnd.Browser;

/// <summary>The studio's "New host key": the key changes, goes to the clipboard and is shown once (until "Done"), and
/// the tab that made it keeps working with it, on REST and in the live room.</summary>
public sealed class HostKeyRotationBrowserTests
{
    [Fact]
    public async Task The_studio_makes_a_new_host_key_and_keeps_working_with_it()
    {
        ChromiumSession.SkipIfMissing();
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var oldKey = server.Channels.Find("demo")!.HostKey;

        var studio = await chromium.NewPageAsync(server.BaseAddress, 1440, 900, permissions: ["clipboard-read", "clipboard-write"]);
        studio.Dialog += (_, dialog) => dialog.AcceptAsync();
        await studio.GotoAsync("/studio/demo");
        await studio.Locator("#token-input").FillAsync(oldKey);
        await studio.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(studio.Locator("#lineup li")).ToHaveCountAsync(4);

        await studio.Locator("#rotate-host-key").ClickAsync();
        await Assertions.Expect(studio.Locator("#copy-status")).ToHaveTextAsync("New host key copied.");
        var newKey = server.Channels.Find("demo")!.HostKey;
        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(newKey, await studio.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        // Shown once, with what to do next, until the host says it is done: then it is gone from the page.
        await Assertions.Expect(studio.Locator("#new-key-value")).ToHaveTextAsync(newKey);
        await Assertions.Expect(studio.Locator("#new-key-steps li")).ToHaveCountAsync(2);
        await studio.Locator("#new-key-done").ClickAsync();
        await Assertions.Expect(studio.Locator("#new-key")).ToBeHiddenAsync();
        Assert.DoesNotContain(newKey, await studio.ContentAsync(), StringComparison.Ordinal);

        // Still signed in with the new key: REST (the stream-key reveal) and the live room (a pin a viewer sees).
        await studio.Locator("#copy-key").ClickAsync();
        await Assertions.Expect(studio.Locator("#copy-status")).ToHaveTextAsync("Stream key copied.");
        await studio.Locator("#lineup li").First.Locator("button", new() { HasText = "Pin" }).ClickAsync();
        await using var viewer = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "/hubs/live")).Build();
        await viewer.StartAsync(ct);
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((await viewer.InvokeAsync<JoinSnapshot>("Join", "demo", new JoinOptions(), ct)).Pinned is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the studio's pin after the rotation did not reach the room");
            await Task.Delay(100, ct);
        }
    }

    [Fact]
    public async Task A_poll_refused_with_the_old_key_before_the_rotation_answers_does_not_sign_the_studio_out()
    {
        // The flake seen once under load: the server ends the old key before its answer reaches the tab, a 2 s poll
        // sent with the old key meanwhile got 401 and signed the tab out, and the answer then met a null key.
        // Holding the answer for longer than one poll makes that order certain.
        ChromiumSession.SkipIfMissing();
        await using var server = await RelayTestServer.StartAsync();
        await using var chromium = await ChromiumSession.StartAsync();
        var oldKey = server.Channels.Find("demo")!.HostKey;

        var studio = await chromium.NewPageAsync(server.BaseAddress, 1440, 900, permissions: ["clipboard-read", "clipboard-write"]);
        studio.Dialog += (_, dialog) => dialog.AcceptAsync();
        var refusedWithTheOldKey = 0;
        studio.Response += (_, response) =>
        {
            if (response.Status is 401 or 403 && response.Request.Headers.TryGetValue("authorization", out var auth) && auth == "Bearer " + oldKey)
            {
                Interlocked.Increment(ref refusedWithTheOldKey);
            }
        };
        await studio.RouteAsync("**/host-key/rotate", async route =>
        {
            var answer = await route.FetchAsync();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (Volatile.Read(ref refusedWithTheOldKey) == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            await route.FulfillAsync(new RouteFulfillOptions { Response = answer });
        });
        await studio.GotoAsync("/studio/demo");
        await studio.Locator("#token-input").FillAsync(oldKey);
        await studio.Locator("#login-form button[type=submit]").ClickAsync();
        await Assertions.Expect(studio.Locator("#lineup li")).ToHaveCountAsync(4);

        await studio.Locator("#rotate-host-key").ClickAsync();
        await Assertions.Expect(studio.Locator("#copy-status")).ToHaveTextAsync("New host key copied.", new() { Timeout = 40_000 });
        Assert.True(Volatile.Read(ref refusedWithTheOldKey) > 0, "a request with the old key was refused before the rotation answered");
        var newKey = server.Channels.Find("demo")!.HostKey;
        Assert.Equal(newKey, await studio.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Assertions.Expect(studio.Locator("#studio")).ToBeVisibleAsync();
        await studio.Locator("#copy-key").ClickAsync();
        await Assertions.Expect(studio.Locator("#copy-status")).ToHaveTextAsync("Stream key copied.");
    }
}
