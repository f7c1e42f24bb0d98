namespace Relay.Server.Apis.Requests;

/// <summary>
/// The body of <c>POST /api/v1/channels</c> as documented. The endpoint reads the body field by field
/// (<see cref="ApiProblems"/>) so that an unknown field or a wrong type is a 400 naming its JSON path; this type only
/// describes it.
/// </summary>
/// <param name="Id">Optional; derived from the title when absent.</param>
public sealed record CreateChannelRequest(string? Id, string Title);
