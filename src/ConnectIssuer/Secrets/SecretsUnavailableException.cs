namespace ConnectIssuer.Secrets;

/// <summary>The secret source could not be read and no cached value is usable. Maps to <c>503 secrets_unavailable</c>.</summary>
public sealed class SecretsUnavailableException(string secretName, Exception? innerException = null)
    : Exception($"Secret '{secretName}' could not be read and no cached value is available.", innerException)
{
    public string SecretName { get; } = secretName;
}
