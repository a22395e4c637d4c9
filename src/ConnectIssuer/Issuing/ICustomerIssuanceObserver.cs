namespace ConnectIssuer.Issuing;

/// <summary>
/// Told by <see cref="IssuingPipeline"/> when a token or link was issued for a customer, so what this instance cached about
/// that customer (e.g. its connections listing) can be dropped: the customer is probably about to change something at a vendor.
/// </summary>
public interface ICustomerIssuanceObserver
{
    /// <summary>Called after a successful issuing call, on the request's path: keep it cheap and never throw.</summary>
    void OnIssued(string customerId);
}
