using ConnectIssuer.Alloy;
using ConnectIssuer.Sandbox;
using ConnectIssuer.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace ConnectIssuer.Tests.Alloy;

/// <summary><c>POST /api/alloy/token</c> through the real server and client against the Alloy simulation on loopback.</summary>
public sealed class AlloyUserTokenEndToEndTests : IAsyncLifetime
{
    private const string ApiKey = "alloy-api-key-5f3b9c0e7d2a41";
    private const string Prefix = "ci-test.";
    private const string Route = "/api/alloy/token";
    private const string RawBodyMarker = "vendor-raw-body-marker";

    private FakeOidcIssuer _issuer = null!;

    public async Task InitializeAsync() => _issuer = await FakeOidcIssuer.SharedAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Token_FirstCall_CreatesOneUserAndReturnsItsToken()
    {
        await using var h = await StartAsync();

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42", "Acme Corp")));

        var body = await response.ReadJsonAsync();
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var user = Assert.Single(h.Alloy.Users);
        Assert.Equal(Prefix + "org_5f42", user.Username);
        Assert.Equal("Acme Corp", user.FullName);
        Assert.Equal("alloy", body.GetProperty("vendor").GetString());
        Assert.Equal("org_42", body.GetProperty("customerId").GetString());
        Assert.Equal(user.UserId, body.GetProperty("userId").GetString());
        var token = body.GetProperty("token").GetString()!;
        var (_, claims) = Jwt.Decode(token);
        Assert.Equal(user.UserId, claims.GetProperty("userId").GetString());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64()), body.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.EndsWith("Z", body.GetProperty("expiresAt").GetString(), StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("url", out _));
        Assert.False(body.TryGetProperty("created", out _));

        // Look-up by username (unknown) → create → token by user id; every call authenticated and versioned as documented.
        // (Before issue 14 the first and last calls were token requests by username.)
        var calls = h.Vendor.Requests.ToList();
        Assert.Equal(3, calls.Count);
        Assert.Equal(("GET", "/users/ci-test.org_5f42"), (calls[0].Method, calls[0].PathAndQuery));
        Assert.Equal(("POST", "/users/"), (calls[1].Method, calls[1].PathAndQuery));
        Assert.Equal(("GET", $"/users/{user.UserId}/token?userId={user.UserId}"), (calls[2].Method, calls[2].PathAndQuery));
        Assert.All(calls, c =>
        {
            Assert.Equal("Bearer " + ApiKey, c.Headers["Authorization"]);
            Assert.Equal("2025-09", c.Headers["x-api-version"]);
        });
        Assert.StartsWith("application/json", calls[1].Headers["Content-Type"], StringComparison.Ordinal);
        using var created = JsonDocument.Parse(calls[1].Body);
        Assert.Equal(
            ["fullName:Acme Corp", "username:ci-test.org_5f42"],
            created.RootElement.EnumerateObject().Select(p => $"{p.Name}:{p.Value.GetString()}").Order(StringComparer.Ordinal));
        AssertNoLeaks(h, token);
        Assert.Contains(h.Server.Logs.Lines, l => l.Contains("Audit: alloy/token", StringComparison.Ordinal) && l.Contains("outcome=issued", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_LaterCalls_MakeOneVendorCallEachAndCreateNoUser()
    {
        await using var h = await StartAsync();
        var bearer = Bearer("org_42");
        await h.Server.Client.SendAsync(HttpExtensions.Post(Route, bearer));
        var before = h.Vendor.Requests.Count;

        var tokens = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var body = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, bearer, "{}"))).ReadJsonAsync();
            tokens.Add(body.GetProperty("token").GetString()!);
            Assert.Equal("org_42", body.GetProperty("customerId").GetString());
            Assert.Equal(h.Alloy.Users[0].UserId, body.GetProperty("userId").GetString());
        }

        Assert.Single(h.Alloy.Users);
        Assert.Equal(3, h.Vendor.Requests.Count - before);
        Assert.All(h.Vendor.Requests.Skip(before), r => Assert.Equal($"/users/{h.Alloy.Users[0].UserId}/token?userId={h.Alloy.Users[0].UserId}", r.PathAndQuery));
        Assert.Equal(1, h.Vendor.Requests.Count(r => r.Method == "POST"));
        AssertNoLeaks(h, [.. tokens]);
    }

    [Fact]
    public async Task Token_EightConcurrentFirstCalls_EndWithOneUserAndEightTokens()
    {
        await using var h = await StartAsync();
        var bearer = Bearer("org_new", "New Org");

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => h.Server.Client.SendAsync(HttpExtensions.Post(Route, bearer))));

        var bodies = await Task.WhenAll(responses.Select(r => r.ReadJsonAsync()));
        var user = Assert.Single(h.Alloy.Users);
        Assert.Equal(Prefix + "org_5fnew", user.Username);
        Assert.All(bodies, b => Assert.Equal(user.UserId, Jwt.Decode(b.GetProperty("token").GetString()!).Payload.GetProperty("userId").GetString()));
        Assert.Equal(8, bodies.Select(b => b.GetProperty("token").GetString()).Count(t => !string.IsNullOrEmpty(t)));
        Assert.Equal(8, h.Alloy.TokensIssued);

        // Creates of one instance are shared; any that still race are refused by Alloy and followed by a token request.
        var creates = h.Vendor.Requests.Count(r => r.Method == "POST");
        Assert.InRange(creates, 1, 8);
        Assert.Equal(creates - 1, h.Alloy.DuplicatesRefused);

        // Every one of the eight answers names the user (issue 14: 7 of 8 used to answer without it), and the
        // resolution is shared: one look-up, one create, then one token call per request.
        Assert.All(bodies, b => Assert.Equal(user.UserId, b.GetProperty("userId").GetString()));
        Assert.Equal(1, creates);
        Assert.Single(h.Vendor.RequestsTo("GET", "/users/ci-test.org_5fnew"), r => !r.PathAndQuery.Contains("/token", StringComparison.Ordinal));
        Assert.Equal(8, h.Vendor.RequestsTo("GET", $"/users/{user.UserId}/token").Count());
        Assert.Equal(10, h.Vendor.Requests.Count);
    }

    [Fact]
    public async Task Token_SecondCall_ReturnsTheUserIdWithOneVendorCall()
    {
        await using var h = await StartAsync();
        var bearer = Bearer("org_42");

        var first = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, bearer))).ReadJsonAsync();
        var before = h.Vendor.Requests.Count;
        var second = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, bearer))).ReadJsonAsync();

        var user = Assert.Single(h.Alloy.Users);
        Assert.Equal(user.UserId, first.GetProperty("userId").GetString());
        Assert.Equal(user.UserId, second.GetProperty("userId").GetString());
        var call = Assert.Single(h.Vendor.Requests.Skip(before));
        Assert.Equal(("GET", $"/users/{user.UserId}/token?userId={user.UserId}"), (call.Method, call.PathAndQuery));
    }

    [Fact]
    public async Task Token_UserCreatedElsewhere_IsLookedUpOnceThenServedWithOneCall()
    {
        // Created by another instance (or before a restart): this instance has not seen it.
        await using var h = await StartAsync();
        var user = h.Alloy.AddUser(Prefix + "org_5f42", "Other Instance");
        var bearer = Bearer("org_42");

        var first = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, bearer))).ReadJsonAsync();
        var second = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, bearer))).ReadJsonAsync();

        Assert.Equal(user.UserId, first.GetProperty("userId").GetString());
        Assert.Equal(user.UserId, second.GetProperty("userId").GetString());
        Assert.Equal(
            ["GET /users/ci-test.org_5f42", $"GET /users/{user.UserId}/token", $"GET /users/{user.UserId}/token"],
            h.Vendor.Requests.Select(r => $"{r.Method} {r.PathAndQuery.Split('?')[0]}"));
        Assert.Equal(0, h.Vendor.Requests.Count(r => r.Method == "POST"));

        // The look-up's 404-free path and the token calls are ordinary answers: no vendor warning.
        Assert.DoesNotContain(h.Server.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Alloy answered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_NewUser_LookUp404IsNotLoggedAsAVendorWarning()
    {
        await using var h = await StartAsync();

        await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")))).ReadJsonAsync();

        Assert.Contains(h.Server.Logs.Lines, l => l.StartsWith("Debug", StringComparison.Ordinal) && l.Contains("Alloy answered 404", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Server.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Alloy answered", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_UserDeletedAtAlloyAfterItWasCached_IsResolvedAgain()
    {
        await using var h = await StartAsync();
        var bearer = Bearer("org_42");
        var first = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, bearer))).ReadJsonAsync();
        h.Alloy.RemoveUser(Prefix + "org_5f42");
        var before = h.Vendor.Requests.Count;

        var second = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, bearer))).ReadJsonAsync();

        var user = Assert.Single(h.Alloy.Users);
        Assert.NotEqual(first.GetProperty("userId").GetString(), user.UserId);
        Assert.Equal(user.UserId, second.GetProperty("userId").GetString());
        Assert.Equal(user.UserId, Jwt.Decode(second.GetProperty("token").GetString()!).Payload.GetProperty("userId").GetString());
        Assert.Equal(["GET", "GET", "POST", "GET"], h.Vendor.Requests.Skip(before).Select(r => r.Method));
    }

    [Fact]
    public async Task Token_LookUpAnswersWithAnotherUsername_Returns502AndAsksForNoToken()
    {
        // The path slot takes user ids too: an answer about another user must never be taken for ours.
        await using var h = await StartAsync(intercept: async (context, _) =>
        {
            if (context.Request.Method != "GET" || context.Request.Path.Value!.EndsWith("/token", StringComparison.Ordinal))
            {
                return false;
            }

            await context.Response.WriteAsJsonAsync(new { userId = "658c703c524d011f001fe3e4", username = "someone-else", fullName = "Victim" });
            return true;
        });

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")));

        await response.AssertProblemAsync(HttpStatusCode.BadGateway, "vendor_error");
        Assert.Empty(h.Vendor.RequestsTo("GET", "/users/658c703c524d011f001fe3e4"));
        Assert.Equal(0, h.Alloy.TokensIssued);
    }

    [Theory]
    [InlineData("658c703c524d011f001fe3e4")]
    [InlineData("VICTIM")]
    public async Task Token_CustomerIdCraftedAsAnotherUsersIdOrName_GetsItsOwnUser(string victimField)
    {
        // A victim user exists; the attacker's customer id is that user's Alloy id (24 hex) or its username.
        await using var h = await StartAsync();
        var victim = h.Alloy.AddUser("victim", "Victim");
        var craftedId = victimField == "VICTIM" ? victim.Username : victim.UserId;

        var body = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer(craftedId)))).ReadJsonAsync();

        var own = Assert.Single(h.Alloy.Users, u => u.UserId != victim.UserId);
        Assert.Equal(AlloyUsername.For(Prefix, craftedId), own.Username);
        Assert.Equal(own.UserId, body.GetProperty("userId").GetString());
        Assert.Equal(own.UserId, Jwt.Decode(body.GetProperty("token").GetString()!).Payload.GetProperty("userId").GetString());
        Assert.Empty(h.Vendor.RequestsTo("GET", $"/users/{victim.UserId}"));
    }

    [Fact]
    public async Task Token_TwoDeploymentsSharingAnAlloyAccount_NeverShareAUser()
    {
        // Two deployments, one prefix's text extending the other's, with customer ids crafted to spell each other's names.
        var alloy = new AlloySimulation(ApiKey);
        await using var vendor = await VendorServer.StartAsync(alloy);
        await using var first = await StartServerAsync(vendor, "ci.");
        await using var second = await StartServerAsync(vendor, "ci-x.");
        string[] firstIds = ["x.victim", "-x.victim", "x-victim", "x_2evictim"];

        var victim = await (await second.Client.SendAsync(HttpExtensions.Post(Route, Bearer("victim")))).ReadJsonAsync();
        var attackers = new List<JsonElement>();
        foreach (var id in firstIds)
        {
            attackers.Add(await (await first.Client.SendAsync(HttpExtensions.Post(Route, Bearer(id)))).ReadJsonAsync());
        }

        Assert.Equal(1 + firstIds.Length, alloy.Users.Count);
        Assert.All(attackers, a => Assert.NotEqual(victim.GetProperty("userId").GetString(), a.GetProperty("userId").GetString()));
        Assert.Equal(1 + firstIds.Length, attackers.Append(victim).Select(b => b.GetProperty("userId").GetString()).Distinct().Count());
        Assert.Equal("ci-x.victim", alloy.Users.Single(u => u.UserId == victim.GetProperty("userId").GetString()).Username);
    }

    [Theory]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    [InlineData(HttpStatusCode.Conflict)]
    [InlineData(HttpStatusCode.BadRequest)]
    public async Task Token_CreateLosesRaceToAnotherInstance_AsksForTheTokenAgain(HttpStatusCode duplicateStatus)
    {
        // Another instance creates the user between our token request and our create.
        await using var h = await StartAsync(intercept: async (context, alloy) =>
        {
            if (context.Request.Method == "POST")
            {
                alloy.AddUser(Prefix + "org_5f42", "Other Instance");
            }

            return await Task.FromResult(false);
        });
        h.Alloy.DuplicateStatus = duplicateStatus;

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")));

        var body = await response.ReadJsonAsync();
        var user = Assert.Single(h.Alloy.Users);
        Assert.Equal(1, h.Alloy.DuplicatesRefused);
        Assert.Equal(user.UserId, Jwt.Decode(body.GetProperty("token").GetString()!).Payload.GetProperty("userId").GetString());
        Assert.Equal(user.UserId, body.GetProperty("userId").GetString());

        // Look-up (unknown), create (refused), look-up again (found), token. (Issue 14: the look-up replaced the first token request.)
        Assert.Equal(["GET", "POST", "GET", "GET"], h.Vendor.Requests.Select(r => r.Method));
    }

    [Theory]
    [InlineData(409, HttpStatusCode.Conflict, "conflict")]
    [InlineData(422, HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(400, HttpStatusCode.BadGateway, "vendor_error")]
    public async Task Token_CreateRefusedAndUserStillUnknown_ReturnsProblem(int createStatus, HttpStatusCode status, string code)
    {
        await using var h = await StartAsync(intercept: async (context, _) =>
        {
            if (context.Request.Method != "POST")
            {
                return false;
            }

            context.Response.StatusCode = createStatus;
            await context.Response.WriteAsync($$"""{"message":"{{RawBodyMarker}}"}""");
            return true;
        });

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")));

        var problem = await response.AssertProblemAsync(status, code);
        Assert.DoesNotContain(RawBodyMarker, problem.ToString(), StringComparison.Ordinal);
        Assert.Empty(h.Alloy.Users);
        Assert.Equal(["GET", "POST", "GET"], h.Vendor.Requests.Select(r => r.Method));
        AssertNoLeaks(h);
    }

    [Fact]
    public async Task Token_LookalikeCustomerIds_GetDistinctUsers()
    {
        await using var h = await StartAsync();
        string[] customers = ["a/b", "a%2Fb", "A/B", "a_2fb", "a%2fb"];

        foreach (var customer in customers)
        {
            var body = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer(customer)))).ReadJsonAsync();
            Assert.Equal(customer, body.GetProperty("customerId").GetString());
        }

        // The simulation compares usernames without case, as Alloy may: still one user per customer.
        Assert.Equal(customers.Length, h.Alloy.Users.Count);
        Assert.All(h.Alloy.Users, u => Assert.Matches("^ci-test\\.[a-z0-9_-]+$", u.Username));
        Assert.Equal(
            customers.Select(c => AlloyUsername.For(Prefix, c)).Order(StringComparer.Ordinal),
            h.Alloy.Users.Select(u => u.Username).Order(StringComparer.Ordinal));

        // Asking again finds each one's own user.
        var again = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("A/B")))).ReadJsonAsync();
        var expected = h.Alloy.Users.Single(u => u.Username == Prefix + "_41_2f_42").UserId;
        Assert.Equal(expected, Jwt.Decode(again.GetProperty("token").GetString()!).Payload.GetProperty("userId").GetString());
        Assert.Equal(customers.Length, h.Alloy.Users.Count);
    }

    [Fact]
    public async Task Token_CallerWithoutName_CreatesUserWithoutFullName()
    {
        await using var h = await StartAsync();

        await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_7", name: null)))).ReadJsonAsync();

        Assert.Null(Assert.Single(h.Alloy.Users).FullName);
        using var created = JsonDocument.Parse(h.Vendor.Requests.Single(r => r.Method == "POST").Body);
        Assert.Equal(["username"], created.RootElement.EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Token_BodyTriesToChooseTheUser_IsIgnored()
    {
        await using var h = await StartAsync();

        var body = await (await h.Server.Client.SendAsync(HttpExtensions.Post(
            Route, Bearer("org_42"), """{"customerId":"evil","username":"evil","userId":"evil","fullName":"Evil"}"""))).ReadJsonAsync();

        Assert.Equal("org_42", body.GetProperty("customerId").GetString());
        var user = Assert.Single(h.Alloy.Users);
        Assert.Equal(Prefix + "org_5f42", user.Username);
        Assert.Equal("Ada", user.FullName);
    }

    [Theory]
    [InlineData(VendorFault.Status500, HttpStatusCode.BadGateway, "vendor_error", 1)]
    [InlineData(VendorFault.Status502, HttpStatusCode.BadGateway, "vendor_error", 2)]
    [InlineData(VendorFault.ConnectionReset, HttpStatusCode.BadGateway, "vendor_error", 2)]
    [InlineData(VendorFault.ResetMidBody, HttpStatusCode.BadGateway, "vendor_error", 2)]
    [InlineData(VendorFault.ResetMidChunkedBody, HttpStatusCode.BadGateway, "vendor_error", 2)]
    [InlineData(VendorFault.UnreadableBody, HttpStatusCode.BadGateway, "vendor_error", 1)]
    [InlineData(VendorFault.HugeBody, HttpStatusCode.BadGateway, "vendor_error", 1)]
    [InlineData(VendorFault.Throttled, HttpStatusCode.ServiceUnavailable, "vendor_throttled", 1)]
    [InlineData(VendorFault.ThrottledWithoutRetryAfter, HttpStatusCode.ServiceUnavailable, "vendor_throttled", 1)]
    [InlineData(VendorFault.Hang, HttpStatusCode.GatewayTimeout, "vendor_timeout", 1)]
    [InlineData(VendorFault.SlowBody, HttpStatusCode.GatewayTimeout, "vendor_timeout", 1)]
    internal async Task Token_VendorFault_MapsToContractProblem(VendorFault fault, HttpStatusCode status, string code, int attempts)
    {
        await using var h = await StartAsync(new() { ["Vendors:Timeout"] = FaultDeadline.For(fault) });
        h.Alloy.AddUser(Prefix + "org_5f42");
        h.Vendor.Fault = fault;

        var response = await Eventually.CompletesAsync(h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42"))));

        var problem = await response.AssertProblemAsync(status, code);
        Assert.Equal(attempts, h.Vendor.Requests.Count);
        Assert.Equal(fault == VendorFault.Throttled ? TimeSpan.FromSeconds(17) : null, response.Headers.RetryAfter?.Delta);
        Assert.DoesNotContain(RawBodyMarker, problem.ToString(), StringComparison.Ordinal);
        AssertNoLeaks(h);
        Assert.DoesNotContain(h.Server.Logs.Lines, l => l.Contains(RawBodyMarker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_TransientFailureOfTokenRequest_IsRetriedOnce()
    {
        await using var h = await StartAsync();
        var user = h.Alloy.AddUser(Prefix + "org_5f42");
        h.Vendor.Fault = VendorFault.Status502;
        h.Vendor.FaultCount = 1;
        h.Vendor.FaultPath = $"/users/{user.UserId}/token";

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The look-up, then the token request twice (issue 14 added the look-up in front: 2 calls before).
        Assert.Equal(3, h.Vendor.Requests.Count);
        Assert.Equal(2, h.Vendor.RequestsTo("GET", $"/users/{user.UserId}/token").Count());
    }

    [Fact]
    public async Task Token_TokenAnswerBreaksOffMidBody_Returns502VendorErrorAfterOneRetry()
    {
        await using var h = await StartAsync();
        var user = h.Alloy.AddUser(Prefix + "org_5f42");
        h.Vendor.Fault = VendorFault.ResetMidBody;
        h.Vendor.FaultPath = $"/users/{user.UserId}/token";

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, "vendor_error");
        Assert.DoesNotContain(RawBodyMarker, problem.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, h.Vendor.RequestsTo("GET", $"/users/{user.UserId}/token").Count());
        Assert.Contains(h.Server.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Alloy's answer broke off", StringComparison.Ordinal));
        Assert.DoesNotContain(h.Server.Logs.Lines, l => l.Contains(RawBodyMarker, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(502, HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(503, HttpStatusCode.BadGateway, "vendor_error")]
    [InlineData(429, HttpStatusCode.ServiceUnavailable, "vendor_throttled")]
    public async Task Token_CreateFails_IsNotRetried(int createStatus, HttpStatusCode status, string code)
    {
        await using var h = await StartAsync(intercept: async (context, _) =>
        {
            if (context.Request.Method != "POST")
            {
                return false;
            }

            context.Response.StatusCode = createStatus;
            await context.Response.WriteAsync(RawBodyMarker);
            return true;
        });

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")));

        await response.AssertProblemAsync(status, code);
        Assert.Equal(["GET", "POST"], h.Vendor.Requests.Select(r => r.Method));
        Assert.Empty(h.Alloy.Users);
    }

    [Fact]
    public async Task Token_CreateHangs_Returns504AfterOneAttempt()
    {
        await using var h = await StartAsync(new() { ["Vendors:Timeout"] = FaultDeadline.Hanging }, intercept: async (context, _) =>
        {
            if (context.Request.Method != "POST")
            {
                return false;
            }

            await Task.Delay(Timeout.Infinite, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return true;
        });

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")));

        await response.AssertProblemAsync(HttpStatusCode.GatewayTimeout, "vendor_timeout");
        Assert.Equal(["GET", "POST"], h.Vendor.Requests.Select(r => r.Method));
    }

    [Fact]
    public async Task Token_VendorRejectsKeyOnce_ReadsItAgainAndRetries()
    {
        await using var h = await StartAsync();
        h.Alloy.AddUser(Prefix + "org_5f42");
        h.Vendor.Fault = VendorFault.Unauthorized;
        h.Vendor.FaultCount = 1;

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // The look-up twice (401, then with the key read again), then the token (issue 14: 2 calls before, token twice).
        Assert.Equal(3, h.Vendor.Requests.Count);
        Assert.Contains(h.Server.Logs.Lines, l => l.Contains("Alloy rejected the credentials", StringComparison.Ordinal));
        AssertNoLeaks(h);
    }

    [Fact]
    public async Task Token_VendorRejectsKeyAgain_Returns502AfterOneRetry()
    {
        await using var h = await StartAsync();
        h.Alloy.ApiKey = "the-key-alloy-now-expects";

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadGateway, "vendor_error");
        Assert.Equal(2, h.Vendor.Requests.Count);
        Assert.Empty(h.Alloy.Users);
        Assert.DoesNotContain(ApiKey, problem.ToString(), StringComparison.Ordinal);
        AssertNoLeaks(h);
    }

    [Fact]
    public async Task Token_ApiKeyMissing_Returns503NotConfiguredWithoutCallingAlloy()
    {
        await using var h = await StartAsync(new() { ["Secrets:AlloyApiKey"] = null });

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")));

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "vendor_not_configured");
        Assert.Contains("AlloyApiKey", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(h.Vendor.Requests);
        Assert.Equal("not-configured", await AlloyHealthAsync(h));
    }

    [Fact]
    public async Task Token_UsernamePrefixMissing_Returns503NotConfiguredWithoutCallingAlloy()
    {
        await using var h = await StartAsync(new() { ["Alloy:UsernamePrefix"] = null });

        var response = await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")));

        var problem = await response.AssertProblemAsync(HttpStatusCode.ServiceUnavailable, "vendor_not_configured");
        Assert.Contains("Alloy:UsernamePrefix", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(h.Vendor.Requests);
        Assert.Equal("not-configured", await AlloyHealthAsync(h));
    }

    // Replaced deliberately (issue 14, item 8): an empty prefix used to mean "no prefix" (username "org_5f42"), which
    // let a customer id shaped like an Alloy user id name that user; it now stops start-up naming the setting.
    [Fact]
    public async Task StartUp_EmptyUsernamePrefix_FailsNamingIt()
    {
        var settings = _issuer.Settings();
        settings["Alloy:UsernamePrefix"] = "";

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartServerAsync(settings));

        Assert.Contains("Alloy:UsernamePrefix", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Token_PathVersionedBaseUrl_PutsTheVersionInThePathAndSendsNoHeader()
    {
        await using var h = await StartAsync(new() { ["Alloy:ApiVersion"] = "" }, pathBase: "/2024-03");

        var body = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")))).ReadJsonAsync();
        await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")))).ReadJsonAsync();

        var userId = Assert.Single(h.Alloy.Users).UserId;
        Assert.Equal(userId, body.GetProperty("userId").GetString());

        // Look-up, create, token; then the token only (issue 14: token requests by username before).
        Assert.Equal(
            ["GET /2024-03/users/ci-test.org_5f42", "POST /2024-03/users", $"GET /2024-03/users/{userId}/token", $"GET /2024-03/users/{userId}/token"],
            h.Vendor.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
        Assert.All(h.Vendor.Requests, r =>
        {
            Assert.False(r.Headers.ContainsKey("x-api-version"));
            Assert.Equal("Bearer " + ApiKey, r.Headers["Authorization"]);
        });
    }

    [Fact]
    public async Task Token_BaseUrlWithTrailingSlashAndCustomVersion_AreHonoured()
    {
        await using var h = await StartAsync(new() { ["Alloy:ApiVersion"] = "2026-01" }, pathBase: "/v", trailingSlash: true);
        h.Alloy.RequiredApiVersion = "2026-01";

        await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")))).ReadJsonAsync();

        var create = h.Vendor.Requests.Single(r => r.Method == "POST");
        Assert.Equal("/v/users/", create.PathAndQuery);
        Assert.All(h.Vendor.Requests, r => Assert.Equal("2026-01", r.Headers["x-api-version"]));
    }

    [Fact]
    public async Task Token_OpaqueVendorToken_OmitsExpiresAt()
    {
        await using var h = await StartAsync();
        h.Alloy.IssuesJwts = false;

        var body = await (await h.Server.Client.SendAsync(HttpExtensions.Post(Route, Bearer("org_42")))).ReadJsonAsync();

        Assert.StartsWith("opaque-", body.GetProperty("token").GetString(), StringComparison.Ordinal);
        Assert.False(body.TryGetProperty("expiresAt", out _));
    }

    [Theory]
    [InlineData("Alloy:UsernamePrefix", "a/b")]
    [InlineData("Alloy:UsernamePrefix", "with space")]
    [InlineData("Alloy:UsernamePrefix", "acme-prod-")]
    [InlineData("Alloy:UsernamePrefix", "acme-prod")]
    [InlineData("Alloy:UsernamePrefix", "Acme.")]
    [InlineData("Alloy:UsernamePrefix", "ci.x.")]
    [InlineData("Alloy:UsernamePrefix", "658c703c524d011f001fe3e4")]
    [InlineData("Alloy:ApiVersion", "2025-09\r\nx-evil: 1")]
    [InlineData("Alloy:BaseUrl", "http://alloy.example.com")]
    [InlineData("Alloy:BaseUrl", "https://alloy.example.com/?v=1")]
    public async Task StartUp_InvalidSetting_FailsNamingIt(string setting, string value)
    {
        var settings = _issuer.Settings();
        settings[setting] = value;

        var exception = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartServerAsync(settings));

        Assert.Contains(setting, exception.Message, StringComparison.Ordinal);
    }

    private static void AssertNoLeaks(Harness h, params string[] tokens)
    {
        h.Server.Logs.AssertNoneContain([ApiKey, .. tokens]);
    }

    private static async Task<string?> AlloyHealthAsync(Harness h)
    {
        var health = await (await h.Server.Client.GetAsync("/api/health")).ReadJsonAsync();
        return health.GetProperty("vendors").GetProperty("alloy").GetString();
    }

    private string Bearer(string customerId, string? name = "Ada")
    {
        var claims = new Dictionary<string, object> { ["sub"] = "user-" + customerId, ["org_id"] = customerId };
        if (name is not null)
        {
            claims["name"] = name;
        }

        return _issuer.CreateToken(claims);
    }

    private async Task<RunningApp> StartServerAsync(VendorServer vendor, string prefix)
    {
        var settings = _issuer.Settings();
        settings["Alloy:BaseUrl"] = vendor.BaseUrl;
        settings["Alloy:UsernamePrefix"] = prefix;
        settings["Secrets:AlloyApiKey"] = ApiKey;
        return await TestApp.StartServerAsync(settings);
    }

    private async Task<Harness> StartAsync(
        Dictionary<string, string?>? overrides = null,
        string? pathBase = null,
        Func<HttpContext, AlloySimulation, Task<bool>>? intercept = null,
        bool trailingSlash = false)
    {
        var alloy = new AlloySimulation(ApiKey) { RequiredApiVersion = pathBase is null ? "2025-09" : null };
        var vendor = await VendorServer.StartAsync(
            intercept is null ? alloy : new InterceptingSimulation(alloy, intercept), pathBase);
        var settings = _issuer.Settings();
        settings["Alloy:BaseUrl"] = vendor.BaseUrl + pathBase + (trailingSlash ? "/" : "");
        settings["Alloy:UsernamePrefix"] = Prefix;
        settings["Secrets:AlloyApiKey"] = ApiKey;
        settings["Vendors:Timeout"] = "00:00:05";
        foreach (var (key, value) in overrides ?? [])
        {
            settings[key] = value;
        }

        try
        {
            return new Harness(await TestApp.StartServerAsync(settings), vendor, alloy);
        }
        catch
        {
            await vendor.DisposeAsync();
            throw;
        }
    }

    private sealed class Harness(RunningApp server, VendorServer vendor, AlloySimulation alloy) : IAsyncDisposable
    {
        public RunningApp Server { get; } = server;

        public VendorServer Vendor { get; } = vendor;

        public AlloySimulation Alloy { get; } = alloy;

        public async ValueTask DisposeAsync()
        {
            await Server.DisposeAsync();
            await Vendor.DisposeAsync();
        }
    }

    /// <summary>The simulation behind a middleware that can answer a request itself (true) or pass it on (false).</summary>
    private sealed class InterceptingSimulation(AlloySimulation inner, Func<HttpContext, AlloySimulation, Task<bool>> intercept) : IVendorSimulation
    {
        public void Map(IEndpointRouteBuilder routes)
        {
            ((IApplicationBuilder)routes).Use(async (HttpContext context, RequestDelegate next) =>
            {
                if (!await intercept(context, inner))
                {
                    await next(context);
                }
            });
            inner.Map(routes);
        }
    }
}
