using ConnectIssuer.Polytomic;

namespace ConnectIssuer.Tests.Polytomic;

/// <summary>How the client reads Polytomic's two error shapes; the calls themselves are covered end to end.</summary>
public sealed class PolytomicClientTests
{
    [Theory]
    [InlineData(422, """{"key":"validation_error","message":"name: must be unique","metadata":{},"status":422}""", "Name")]
    [InlineData(422, """{"key":"validation_error","message":"invalid","metadata":{"name":"already exists"},"status":422}""", "Name")]
    [InlineData(422, """{"code":422,"context":{},"error":"Name is already taken","status":"Unprocessable Entity"}""", "Name")]
    [InlineData(409, """{"code":409,"context":{},"error":"connection name exists","status":"Conflict"}""", "Name")]
    [InlineData(409, """{"key":"conflict","message":"conflict","status":409}""", "Name")]
    [InlineData(409, "", "Name")]
    [InlineData(409, """{"key":"conflict","message":"a request with this idempotency key is in progress","status":409}""", "IdempotencyInProgress")]
    [InlineData(409, """{"code":409,"context":{},"error":"request in progress","status":"Conflict"}""", "IdempotencyInProgress")]
    [InlineData(422, """{"key":"validation_error","message":"whitelist: unknown type","metadata":{},"status":422}""", "None")]
    [InlineData(422, "<html>oops</html>", "None")]
    [InlineData(400, """{"key":"bad_request","message":"name: must be unique","status":400}""", "None")]
    [InlineData(200, """{"data":{"redirect_url":"https://x","token":"t"}}""", "None")]
    public void ClassifyConflict_EitherErrorShape_RecognisesTakenNamesAndKeysInFlight(int status, string body, string expected)
    {
        PolytomicError? error;
        try
        {
            error = body.Length == 0 ? null : JsonSerializer.Deserialize(body, PolytomicJsonContext.Default.PolytomicError);
        }
        catch (JsonException)
        {
            error = null;
        }

        Assert.Equal(Enum.Parse<PolytomicConflict>(expected), PolytomicClient.ClassifyConflict((HttpStatusCode)status, error));
    }
}
