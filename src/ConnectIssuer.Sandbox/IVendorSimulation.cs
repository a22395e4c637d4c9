namespace ConnectIssuer.Sandbox;

/// <summary>
/// An in-memory simulation of one vendor API, built from the vendor's public API reference (the facts the code
/// relies on are in <c>docs/vendors/&lt;vendor&gt;.md</c>): the calls, bodies,
/// envelopes and errors the real vendor documents. The standalone server serves it in Development
/// (<c>Sandbox:Enabled</c>), and the tests host the very same class as their fake vendor.
/// </summary>
public interface IVendorSimulation
{
    /// <summary>Maps the vendor's API routes, relative to the base URL the vendor client is pointed at.</summary>
    void Map(IEndpointRouteBuilder routes);
}
