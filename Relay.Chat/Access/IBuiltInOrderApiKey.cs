namespace Relay.Chat.Access;

/// <summary>
/// What the bearer scheme needs to know of the built-in order API: whether it is the one in use and whether a token
/// is its key. Declared here and implemented by <c>Orders.OrderEndpoint</c>, so Access stays below the APIs it guards.
/// </summary>
public interface IBuiltInOrderApiKey
{
    bool IsBuiltIn { get; }

    bool IsBuiltInKey(string presented);
}
