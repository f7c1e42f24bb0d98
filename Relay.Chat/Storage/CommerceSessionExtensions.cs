namespace Relay.Chat.Storage;

internal static class CommerceSessionExtensions
{
    public static async Task<SqlResult> RunAsync(this ICommerceSession session, string sql, CancellationToken cancellationToken, params object?[] args) =>
        (await session.RunAsync([new SqlCall(sql, args)], cancellationToken))[0];

    public static async Task<int> ExecuteAsync(this ICommerceSession session, string sql, CancellationToken cancellationToken, params object?[] args) =>
        (await session.RunAsync(sql, cancellationToken, args)).Affected;

    public static async Task<object?> ScalarAsync(this ICommerceSession session, string sql, CancellationToken cancellationToken, params object?[] args) =>
        (await session.RunAsync(sql, cancellationToken, args)).Scalar;

    public static async Task<IReadOnlyList<object?[]>> QueryAsync(this ICommerceSession session, string sql, CancellationToken cancellationToken, params object?[] args) =>
        (await session.RunAsync(sql, cancellationToken, args)).Rows;
}
