namespace Relay.Chat.Ledger;

/// <summary>What <see cref="ILikeCounter.AddAsync"/> did.</summary>
/// <param name="Total">The channel's total after the add.</param>
/// <param name="Announce">True when the caller publishes <paramref name="Total"/> now, as bringing <paramref name="Added"/>
/// likes since the total announced before it (each like is announced once, by one node).</param>
/// <param name="Added">The likes since the previous announcement (0 when not announcing).</param>
/// <param name="Deferred">True when another node announced a moment ago: the caller asks again after the pacing interval
/// (with 0 taps), so the last total is announced too.</param>
public readonly record struct LikeTally(long Total, bool Announce, long Added, bool Deferred);
