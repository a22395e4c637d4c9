namespace ConnectIssuer.Fivetran;

/// <summary>
/// The outcome of one shared look-up-then-create: the customer's connection, and the link made with it when this
/// look-up created it (only the request that started the look-up answers with that link and <c>created: true</c>).
/// </summary>
public sealed record FivetranConnectionLookup(FivetranConnection Connection, FivetranConnectCardLink? CreatedLink);
