using System.Security.Cryptography;
using ConnectIssuer.Secrets;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.TwoHosts;

/// <summary>
/// The contract end to end on both hosts, with one configuration: the standalone server on Kestrel and
/// the published Functions worker under the host stand-in. Every test runs on each host.
/// </summary>
public sealed class TwoHostEndToEndTests(TwoHostEnvironment environment) : IClassFixture<TwoHostEnvironment>
{
    private static readonly HashSet<string> IssueProperties =
        ["vendor", "token", "url", "expiresAt", "customerId", "userId", "connectionId", "created"];

    public static TheoryData<HostKind> Hosts => TestApp.BothHosts;

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task Health_AnswersStatusVersionAndEveryVendor(HostKind host)
    {
        var response = await Client(host).GetAsync("/api/health");

        var body = await response.ReadJsonAsync();
        AssertNoSniff(response);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["status", "version", "vendors"], PropertyNames(body));
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(
            ["alloy:configured", "fivetran:configured", "integrationApp:configured", "polytomic:configured"],
            body.GetProperty("vendors").EnumerateObject().Select(p => $"{p.Name}:{p.Value.GetString()}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task IntegrationAppToken_IsSignedWithTheWorkspaceSecretForTheCallersCustomer(HostKind host)
    {
        var customer = TwoHostEnvironment.NewCustomerId();
        var bearer = environment.Bearer(customer);

        var response = await Client(host).SendAsync(HttpExtensions.Post("/api/integration-app/token", bearer));

        var body = await response.ReadJsonAsync();
        AssertIssueShape(response, body, "integration-app", "token", "expiresAt", "customerId");
        var token = body.GetProperty("token").GetString()!;
        var secret = TwoHostEnvironment.SecretValues[SecretNames.IntegrationAppWorkspaceSecret];
        Assert.True(Jwt.VerifyHmac(token, HashAlgorithmName.SHA512, Encoding.UTF8.GetBytes(secret)));
        var (header, payload) = Jwt.Decode(token);
        Assert.Equal("HS512", header.GetProperty("alg").GetString());
        Assert.Equal(customer, payload.GetProperty("id").GetString());
        Assert.Equal("two-hosts-workspace", payload.GetProperty("iss").GetString());
        Assert.Equal(customer, body.GetProperty("customerId").GetString());
        await AssertNoLeaksAsync(host, token, bearer);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task AdminToken_IsIssuedToAdminsAndForbiddenToOthers(HostKind host)
    {
        var admin = await Client(host).SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", environment.Bearer(null, "connect-admin")));
        var other = await Client(host).SendAsync(HttpExtensions.Post("/api/integration-app/admin-token", environment.Bearer(null, "reader")));

        var body = await admin.ReadJsonAsync();
        Assert.Equal("integration-app", body.GetProperty("vendor").GetString());
        var (_, payload) = Jwt.Decode(body.GetProperty("token").GetString()!);
        Assert.True(payload.GetProperty("isAdmin").GetBoolean());
        Assert.Equal(15 * 60, payload.GetProperty("exp").GetInt64() - payload.GetProperty("iat").GetInt64()); // IntegrationApp:AdminTokenLifetime default
        await other.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal("no-store", other.Headers.CacheControl?.ToString());
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task AlloyToken_ReturnsTheSameUserWithEveryToken(HostKind host)
    {
        var customer = TwoHostEnvironment.NewCustomerId();

        var first = await Client(host).SendAsync(HttpExtensions.Post("/api/alloy/token", environment.Bearer(customer), "{}"));
        var second = await Client(host).SendAsync(HttpExtensions.Post("/api/alloy/token", environment.Bearer(customer)));

        var firstBody = await first.ReadJsonAsync();
        var secondBody = await second.ReadJsonAsync();
        AssertIssueShape(first, firstBody, "alloy", "token", "customerId", "userId");
        AssertIssueShape(second, secondBody, "alloy", "token", "customerId", "userId");
        Assert.Equal(customer, secondBody.GetProperty("customerId").GetString());
        Assert.Equal(firstBody.GetProperty("userId").GetString(), secondBody.GetProperty("userId").GetString());
        await AssertNoLeaksAsync(host, firstBody.GetProperty("token").GetString()!, secondBody.GetProperty("token").GetString()!);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task FivetranConnectCard_ThenStatus_OwnerSeesItAndAnotherCustomerGets404(HostKind host)
    {
        var owner = TwoHostEnvironment.NewCustomerId();
        var card = await Client(host).SendAsync(HttpExtensions.Post(
            "/api/fivetran/connect-card", environment.Bearer(owner), $$"""{"service":"salesforce","redirectUri":"{{TwoHostEnvironment.AllowedOrigin}}/done"}"""));

        var cardBody = await card.ReadJsonAsync();
        AssertIssueShape(card, cardBody, "fivetran", "url", "token", "connectionId", "created");
        Assert.True(cardBody.GetProperty("created").GetBoolean());
        var id = cardBody.GetProperty("connectionId").GetString()!;

        var own = await Client(host).SendAsync(Get($"/api/fivetran/connections/{Uri.EscapeDataString(id)}", environment.Bearer(owner)));
        var foreign = await Client(host).SendAsync(Get($"/api/fivetran/connections/{Uri.EscapeDataString(id)}", environment.Bearer()));
        var unknown = await Client(host).SendAsync(Get("/api/fivetran/connections/no_such_connection", environment.Bearer(owner)));

        var status = await own.ReadJsonAsync();
        Assert.Equal("no-store", own.Headers.CacheControl?.ToString());
        AssertNoSniff(own);
        Assert.Equal(
            $$"""{"vendor":"fivetran","connectionId":"{{id}}","service":"salesforce","setupState":"incomplete","syncState":"scheduled"}""",
            status.GetRawText());
        var foreignProblem = await foreign.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var unknownProblem = await unknown.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        Assert.Equal(unknownProblem.GetProperty("detail").GetString(), foreignProblem.GetProperty("detail").GetString());
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task PolytomicConnect_ReturnsASessionLink(HostKind host)
    {
        var response = await Client(host).SendAsync(HttpExtensions.Post(
            "/api/polytomic/connect", environment.Bearer(), $$"""{"types":["salesforce"],"label":"CRM","redirectUrl":"{{TwoHostEnvironment.AllowedOrigin}}/done"}"""));

        var body = await response.ReadJsonAsync();
        AssertIssueShape(response, body, "polytomic", "url", "token");
        Assert.StartsWith("http", body.GetProperty("url").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task MissingOrInvalidBearer_Is401WithWwwAuthenticate(HostKind host)
    {
        var missing = await Client(host).SendAsync(HttpExtensions.Post("/api/integration-app/token"));
        var forged = await Client(host).SendAsync(HttpExtensions.Post("/api/integration-app/token", environment.Bearer() + "x"));
        var wrongAudience = await Client(host).SendAsync(HttpExtensions.Post(
            "/api/alloy/token", environment.Issuer.CreateToken(audience: "api://someone-else")));

        await missing.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
        Assert.Equal("Bearer", Assert.Single(missing.Headers.WwwAuthenticate).Scheme);
        AssertNoSniff(missing);
        foreach (var rejected in new[] { forged, wrongAudience })
        {
            await rejected.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
            var challenge = Assert.Single(rejected.Headers.WwwAuthenticate);
            Assert.Equal("Bearer", challenge.Scheme);
            Assert.Contains("error=\"invalid_token\"", challenge.Parameter, StringComparison.Ordinal);
            Assert.Equal("no-store", rejected.Headers.CacheControl?.ToString());
        }
    }

    /// <summary>Each host sets the security headers in one place (the worker's middleware, the server's), for every route's answer.</summary>
    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task EveryRoute_SuccessAndProblems_CarryNosniff(HostKind host)
    {
        foreach (var route in Routes.All)
        {
            var bearer = environment.Bearer(TwoHostEnvironment.NewCustomerId()); // one customer per route: within its rate limit
            var path = route.Path.Replace("{connectionId}", "no_such_connection", StringComparison.Ordinal)
                .Replace("{vendor}", "no-such-vendor", StringComparison.Ordinal);
            var anonymous = await Client(host).SendAsync(new HttpRequestMessage(new HttpMethod(route.Method), path));

            // An authenticated request each route refuses: a malformed body (POST), an unknown vendor filter (the
            // listing), an unknown connection or vendor (the other GET and the DELETE).
            var authenticatedRequest = route.Method switch
            {
                "POST" => HttpExtensions.Post(path, bearer, """{"service":"""),
                "GET" when route.Route == Routes.Connections => Get(path + "?vendor=no-such-vendor", bearer),
                _ => new HttpRequestMessage(new HttpMethod(route.Method), path) { Headers = { Authorization = new("Bearer", bearer) } },
            };
            var authenticated = await Client(host).SendAsync(authenticatedRequest);

            if (route.Route == Routes.Health)
            {
                Assert.Equal(HttpStatusCode.OK, anonymous.StatusCode);
                Assert.Equal(HttpStatusCode.OK, authenticated.StatusCode);
            }
            else
            {
                await anonymous.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
                await (route.Method == "POST" || route.Route == Routes.Connections
                    ? authenticated.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request")
                    : authenticated.AssertProblemAsync(HttpStatusCode.NotFound, "not_found"));
            }

            AssertNoSniff(anonymous);
            AssertNoSniff(authenticated);
        }
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task MalformedBodyAndForeignRedirect_Are400WithCodes(HostKind host)
    {
        var malformed = await Client(host).SendAsync(HttpExtensions.Post("/api/fivetran/connect-card", environment.Bearer(), """{"service":"""));
        var wrongType = await Client(host).SendAsync(HttpExtensions.Post("/api/fivetran/connect-card", environment.Bearer(), """{"service":42}"""));
        var redirect = await Client(host).SendAsync(HttpExtensions.Post(
            "/api/fivetran/connect-card", environment.Bearer(), """{"service":"salesforce","redirectUri":"https://evil.example.net/done"}"""));

        await malformed.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        var typeProblem = await wrongType.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_request");
        Assert.True(typeProblem.GetProperty("errors").TryGetProperty("service", out _));
        await redirect.AssertProblemAsync(HttpStatusCode.BadRequest, "redirect_not_allowed");
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task OversizedAndNonJsonBodies_Are413And415(HostKind host)
    {
        var large = await Client(host).SendAsync(HttpExtensions.Post(
            "/api/integration-app/token", environment.Bearer(), $$"""{"pad":"{{new string('a', 17 * 1024)}}"}"""));
        var text = await Client(host).SendAsync(HttpExtensions.Post("/api/alloy/token", environment.Bearer(), "{}", "text/plain"));

        await large.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await text.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
        AssertNoSniff(large);
        AssertNoSniff(text);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task BurstOverTheCustomersLimit_Is429WithRetryAfter(HostKind host)
    {
        var customer = TwoHostEnvironment.NewCustomerId();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage limited = null!;
        for (var i = 0; i <= TwoHostEnvironment.PermitsPerMinute; i++)
        {
            var response = await Client(host).SendAsync(HttpExtensions.Post("/api/integration-app/token", environment.Bearer(customer)));
            statuses.Add(response.StatusCode);
            limited = response;
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, TwoHostEnvironment.PermitsPerMinute), statuses.Take(TwoHostEnvironment.PermitsPerMinute));
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);

        // Another customer is not limited by the first one's burst.
        var other = await Client(host).SendAsync(HttpExtensions.Post("/api/integration-app/token", environment.Bearer()));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task UnknownRoute_Is404(HostKind host)
    {
        var response = await Client(host).GetAsync("/api/no-such-route");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        if (host == HostKind.Server)
        {
            // The standalone server answers it with a problem (contract: "Errors").
            await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        }
        else
        {
            // On Azure Functions the host answers unmatched routes itself, with an empty 404.
            Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        }
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task CustomerClaimThatIsNotOneValue_Is401(HostKind host)
    {
        foreach (object customer in new object[] { new[] { "org_a", "org_b" }, new[] { "org_a" } })
        {
            var bearer = environment.Issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "user-array", ["org_id"] = customer });

            var response = await Client(host).SendAsync(HttpExtensions.Post("/api/integration-app/token", bearer));

            await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthenticated");
            Assert.Contains("error=\"invalid_token\"", Assert.Single(response.Headers.WwwAuthenticate).Parameter, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Hosts))]
    public async Task VendorAnswerThatBreaksOffMidBody_Is502VendorError(HostKind host)
    {
        var vendor = environment.PolytomicServer;
        var before = vendor.Requests.Count;
        vendor.Fault = VendorFault.ResetMidBody;
        try
        {
            var response = await Client(host).SendAsync(HttpExtensions.Post(
                "/api/polytomic/connect", environment.Bearer(), $$"""{"redirectUrl":"{{TwoHostEnvironment.AllowedOrigin}}/done"}"""));

            var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, "vendor_error");
            Assert.DoesNotContain("vendor-raw-body-marker", problem.GetRawText(), StringComparison.Ordinal);
            Assert.True(vendor.Requests.Count > before);
        }
        finally
        {
            vendor.Fault = VendorFault.None;
        }
    }

    [Fact]
    public async Task BothHosts_AnswerTheSameRequestsWithTheSameJsonShapes()
    {
        var shapes = new Dictionary<HostKind, List<string>>();
        foreach (var host in TestApp.Hosts)
        {
            var customer = TwoHostEnvironment.NewCustomerId();
            var requests = new Func<HttpRequestMessage>[]
            {
                () => new HttpRequestMessage(HttpMethod.Get, "/api/health"),
                () => HttpExtensions.Post("/api/integration-app/token", environment.Bearer(customer)),
                () => HttpExtensions.Post("/api/alloy/token", environment.Bearer(customer)),
                () => HttpExtensions.Post("/api/fivetran/connect-card", environment.Bearer(customer), """{"service":"salesforce","redirectUri":"https://app.example.com/x"}"""),
                () => HttpExtensions.Post("/api/polytomic/connect", environment.Bearer(customer), """{"redirectUrl":"https://app.example.com/x"}"""),
                () => HttpExtensions.Post("/api/polytomic/connect", environment.Bearer(customer), "{}"),
                () => HttpExtensions.Post("/api/integration-app/token"),
                () => HttpExtensions.Post("/api/fivetran/connect-card", environment.Bearer(customer), """{"service":7}"""),
                () => HttpExtensions.Post("/api/integration-app/admin-token", environment.Bearer(customer)),
            };
            var list = shapes[host] = [];
            foreach (var request in requests)
            {
                var response = await Client(host).SendAsync(request());
                var body = await response.Content.ReadAsStringAsync();
                list.Add($"{(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType} {Shape(JsonDocument.Parse(body).RootElement)}");
            }
        }

        Assert.Equal(shapes[HostKind.Server], shapes[HostKind.Functions]);
    }

    private HttpClient Client(HostKind host) => environment.App(host).Client;

    private static void AssertIssueShape(HttpResponseMessage response, JsonElement body, string vendor, params string[] required)
    {
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        AssertNoSniff(response);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(vendor, body.GetProperty("vendor").GetString());
        Assert.All(PropertyNames(body), name => Assert.Contains(name, IssueProperties));
        Assert.All(required, name => Assert.Contains(name, PropertyNames(body)));
    }

    private static void AssertNoSniff(HttpResponseMessage response) =>
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));

    private static string[] PropertyNames(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    /// <summary>Property names (recursively, in order) and value kinds: the casing and shape, not the values.</summary>
    private static string Shape(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(",", element.EnumerateObject().Select(p => p.Name + ":" + Shape(p.Value))) + "}",
        JsonValueKind.Array => "[" + string.Join(",", element.EnumerateArray().Select(Shape)) + "]",
        var kind => kind.ToString(),
    };

    private static HttpRequestMessage Get(string path, string bearer)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    /// <summary>
    /// Waits for the audit record of the first value (the minted token (it is the pipeline's last log line for a request; the
    /// worker's lines arrive over gRPC after the response), then scans every line for secrets and tokens.
    /// </summary>
    private async Task AssertNoLeaksAsync(HostKind host, params string[] minted)
    {
        var fingerprint = "token_sha256=" + ConnectIssuer.Audit.AuditLog.Fingerprint(minted[0]);
        await Eventually.TrueAsync(
            () => environment.App(host).Logs.Lines.Any(line => line.Contains(fingerprint, StringComparison.Ordinal)), "the audit record of the minted token");
        var lines = environment.App(host).Logs.Lines;
        foreach (var value in TwoHostEnvironment.SecretValues.Values.Concat(minted))
        {
            Assert.DoesNotContain(lines, line => line.Contains(value, StringComparison.Ordinal));
        }
    }
}
