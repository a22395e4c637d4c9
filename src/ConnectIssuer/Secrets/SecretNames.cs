namespace ConnectIssuer.Secrets;

/// <summary>Secret names, the same in Key Vault and under the <c>Secrets</c> configuration section.</summary>
public static class SecretNames
{
    public const string IntegrationAppWorkspaceSecret = "IntegrationAppWorkspaceSecret";
    public const string IntegrationAppPrivateKey = "IntegrationAppPrivateKey";
    public const string AlloyApiKey = "AlloyApiKey";
    public const string FivetranApiKey = "FivetranApiKey";
    public const string FivetranApiSecret = "FivetranApiSecret";
    public const string PolytomicApiKey = "PolytomicApiKey";

    public static IReadOnlyList<string> All { get; } =
    [
        IntegrationAppWorkspaceSecret, IntegrationAppPrivateKey, AlloyApiKey, FivetranApiKey, FivetranApiSecret, PolytomicApiKey,
    ];
}
