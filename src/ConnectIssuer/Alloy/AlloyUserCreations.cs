using System.Collections.Concurrent;

namespace ConnectIssuer.Alloy;

/// <summary>
/// Lets concurrent requests of one instance for the same new username share a single create call. Across
/// instances the vendor's duplicate answer does the same job (see <see cref="AlloyUserTokenHandler"/>); this only
/// saves the vendor the losing creates.
/// </summary>
public sealed class AlloyUserCreations
{
    private readonly ConcurrentDictionary<string, Task<AlloyCreateUserOutcome>> _inFlight = new(StringComparer.Ordinal);

    /// <summary>Joins the create already running for <paramref name="username"/>, or starts <paramref name="create"/>.</summary>
    /// <remarks>
    /// The shared create runs without the first caller's cancellation token, so one caller giving up does not fail
    /// the others; it is still bounded by <c>Vendors:Timeout</c>. Each caller waits with its own token.
    /// </remarks>
    public Task<AlloyCreateUserOutcome> CreateOnceAsync(
        string username, Func<CancellationToken, Task<AlloyCreateUserOutcome>> create, CancellationToken cancellationToken)
    {
        var candidate = new TaskCompletionSource<AlloyCreateUserOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
        var shared = _inFlight.GetOrAdd(username, candidate.Task);
        if (ReferenceEquals(shared, candidate.Task))
        {
            _ = RunAsync(username, candidate, create);
        }

        return shared.WaitAsync(cancellationToken);
    }

    private async Task RunAsync(string username, TaskCompletionSource<AlloyCreateUserOutcome> completion, Func<CancellationToken, Task<AlloyCreateUserOutcome>> create)
    {
        try
        {
            var outcome = await create(CancellationToken.None);
            _inFlight.TryRemove(new KeyValuePair<string, Task<AlloyCreateUserOutcome>>(username, completion.Task));
            completion.SetResult(outcome);
        }
        catch (Exception exception)
        {
            _inFlight.TryRemove(new KeyValuePair<string, Task<AlloyCreateUserOutcome>>(username, completion.Task));
            completion.SetException(exception);
        }
    }
}
