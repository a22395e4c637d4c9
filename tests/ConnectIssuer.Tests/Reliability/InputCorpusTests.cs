using System.Net.Http.Headers;
using ConnectIssuer.Tests.Infrastructure;

namespace ConnectIssuer.Tests.Reliability;

/// <summary>
/// Generated malformed input for every POST route: each case must get its documented 4xx problem,
/// never a 5xx, a hang or a vendor call. A hang is caught by the client's timeout (<see cref="ReliabilityEnvironment"/>),
/// a guard that asserts no speed.
/// </summary>
[Collection(ReliabilitySuite.Name)]
public sealed class InputCorpusTests(ReliabilityReport report) : IAsyncLifetime
{
    private ReliabilityEnvironment _env = null!;

    public async Task InitializeAsync() => _env = await ReliabilityEnvironment.StartAsync();

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task EveryRoute_MalformedInput_GetsDocumented4xxAndNoVendorCall()
    {
        var failures = new List<string>();
        foreach (var route in ReliabilityRoutes.Post)
        {
            var bearer = route.NeedsAdmin
                ? _env.Issuer.CreateToken(new Dictionary<string, object> { ["sub"] = "u", ["org_id"] = "org_in", ["roles"] = "connect-admin" })
                : _env.Bearer("org_in");
            var byCategory = new Dictionary<string, (int Cases, SortedDictionary<string, int> Outcomes)>(StringComparer.Ordinal);
            var serverErrors = 0;
            var vendorCallsBefore = _env.VendorCalls;
            foreach (var input in Cases(route, bearer))
            {
                var (response, body) = await _env.SendAsync(input.Build());
                var code = response.Content.Headers.ContentType?.MediaType == "application/problem+json"
                    ? JsonDocument.Parse(body).RootElement.GetProperty("code").GetString()
                    : "(not a problem document)";
                var outcome = $"{(int)response.StatusCode} {code}";
                serverErrors += (int)response.StatusCode >= 500 ? 1 : 0;
                if ((int)response.StatusCode != input.Status || code != input.Code)
                {
                    failures.Add($"{route.Path} [{input.Category}] {input.Name}: expected {input.Status} {input.Code}, got {outcome}");
                }

                var (cases, outcomes) = byCategory.TryGetValue(input.Category, out var entry)
                    ? entry
                    : (0, new SortedDictionary<string, int>(StringComparer.Ordinal));
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                byCategory[input.Category] = (cases + 1, outcomes);
            }

            var vendorCalls = _env.VendorCalls - vendorCallsBefore;
            if (vendorCalls != 0)
            {
                failures.Add($"{route.Path}: malformed input reached the vendor {vendorCalls} times");
            }

            foreach (var (category, (cases, outcomes)) in byCategory)
            {
                report.Add(
                    "1 Malformed input per route",
                    ["route", "category", "cases", "outcomes", "5xx", "vendor calls"],
                    route.Path, category, cases.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    string.Join(", ", outcomes.Select(o => $"{o.Key} ×{o.Value}")), "0", "0");
            }

            Assert.Equal(0, serverErrors);
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        _env.AssertNoLeaks(report, "malformed input");
    }

    private sealed record BadInput(string Category, string Name, int Status, string Code, Func<HttpRequestMessage> Build);

    private static IEnumerable<BadInput> Cases(IssuingRouteSample route, string bearer)
    {
        BadInput Json(string category, string name, string json, int status = 400, string code = "invalid_request") =>
            new(category, name, status, code, () => HttpExtensions.Post(route.Path, bearer, json));
        BadInput Bytes(string category, string name, byte[] bytes, string? contentType = "application/json", int status = 400, string code = "invalid_request") =>
            new(category, name, status, code, () =>
            {
                var request = HttpExtensions.Post(route.Path, bearer);
                request.Content = new ByteArrayContent(bytes);
                if (contentType is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
                }

                return request;
            });

        // Random bytes (seeded, so a failure reproduces).
        var random = new Random(20261121);
        for (var i = 0; i < 25; i++)
        {
            var bytes = new byte[random.Next(1, 600)];
            random.NextBytes(bytes);
            bytes[0] = (byte)"{[\"tfn0x-"[i % 8];
            yield return Bytes("random bytes", $"#{i}", bytes);
        }

        // Truncated JSON: every proper prefix of a richer valid document.
        const string Full = """{"a":[1,2,{"b":"c\u00e9"}],"d":null,"e":true}""";
        for (var length = 1; length < Full.Length; length++)
        {
            yield return Json("truncated JSON", $"prefix {length}", Full[..length]);
        }

        // Deep nesting.
        foreach (var depth in (int[])[33, 64, 65, 1000, 5000])
        {
            yield return Json("deeply nested JSON", $"depth {depth}", "{\"x\":" + new string('[', depth) + new string(']', depth) + "}");
        }

        // Huge strings and oversized bodies.
        yield return Json("huge string", "16 KiB string value", "{\"x\":\"" + new string('a', 16 * 1024) + "\"}", 413, "payload_too_large");
        yield return Json("huge string", "16 KiB property name", "{\"" + new string('a', 16 * 1024) + "\":1}", 413, "payload_too_large");
        foreach (var size in (int[])[(16 * 1024) + 1, 100_000, 2_000_000])
        {
            yield return Json("oversized body", $"{size} bytes", "{\"p\":\"" + new string('x', size - 8) + "\"}", 413, "payload_too_large");
        }

        // Not an object.
        foreach (var json in (string[])["null", "[]", "[{}]", "\"{}\"", "42", "true", "{}{}", "{},", "{\"a\":1}}", "{'a':1}", "{a:1}", "{\"a\":01}", "{\"a\":NaN}", "{\"a\":1,}", "/*c*/{}"])
        {
            yield return Json("not a JSON object", json, json);
        }

        // Duplicated keys, at the top and nested.
        yield return Json("duplicated keys", "top level", "{\"a\":1,\"a\":2}");
        yield return Json("duplicated keys", "nested", "{\"a\":{\"b\":1,\"b\":1}}");
        yield return Json("duplicated keys", "case-sensitive twins are distinct? no: exact twins", "{\"x\":\"1\",\"x\":\"1\"}");

        // Wrong types and nulls for the route's own fields.
        foreach (var field in route.Fields)
        {
            foreach (var (name, json) in ReliabilityRoutes.WrongTypes(field.Kind))
            {
                yield return Json("wrong types", $"{field.Name} = {name}", $"{{\"{field.Name}\":{json}}}");
            }

            if (field.Required)
            {
                yield return Json("nulls", $"{field.Name} = null", $"{{\"{field.Name}\":null}}");
            }
        }

        // Odd encodings: invalid UTF-8, overlong forms, CESU-8 surrogates, truncated sequences, UTF-16.
        yield return Bytes("invalid UTF-8", "lone continuation byte", [.. "{\"a\":\""u8, 0x80, .. "\"}"u8]);
        yield return Bytes("invalid UTF-8", "overlong slash", [.. "{\"a\":\""u8, 0xC0, 0xAF, .. "\"}"u8]);
        yield return Bytes("invalid UTF-8", "CESU-8 surrogate", [.. "{\"a\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8]);
        yield return Bytes("invalid UTF-8", "0xFF", [.. "{\"a\":\""u8, 0xFF, .. "\"}"u8]);
        yield return Bytes("invalid UTF-8", "truncated sequence at end", [.. "{\"a\":1}"u8, 0xE2, 0x82]);
        yield return Bytes("invalid UTF-8", "invalid byte in a name", [.. "{\""u8, 0xC3, 0x28, .. "\":1}"u8]);
        yield return Bytes("wrong encoding", "UTF-16 body labelled UTF-16", Encoding.Unicode.GetBytes("{}"), "application/json; charset=utf-16", 415, "unsupported_media_type");
        yield return Bytes("wrong encoding", "UTF-16 body labelled JSON", Encoding.Unicode.GetBytes("{}"));
        yield return Bytes("wrong encoding", "Latin-1 label", "{}"u8.ToArray(), "application/json; charset=iso-8859-1", 415, "unsupported_media_type");

        // Wrong content types.
        foreach (var type in (string[])["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", "text/json", "application/jsonp", "application/json-patch", "*/*", "application", "application/json, text/plain", ";;;"])
        {
            yield return Bytes("wrong content type", type, "{}"u8.ToArray(), type, 415, "unsupported_media_type");
        }

        yield return Bytes("wrong content type", "missing Content-Type with a body", "{}"u8.ToArray(), null, 415, "unsupported_media_type");

        // Missing and repeated headers.
        yield return new("headers", "no Authorization", 401, "unauthenticated", () => HttpExtensions.Post(route.Path, json: "{}"));
        yield return new("headers", "two Authorization headers", 401, "unauthenticated", () =>
        {
            var request = HttpExtensions.Post(route.Path, json: "{}");
            request.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + bearer, "Bearer " + bearer]);
            return request;
        });
        foreach (var value in (string[])["Bearer", "Bearer  ", "Basic Zm9vOmJhcg==", "Bearer a.b.c", "Bearer " + new string('e', 20_000), "Token " + bearer, bearer])
        {
            yield return new("headers", $"Authorization: {value[..Math.Min(value.Length, 20)]}…", 401, "unauthenticated", () =>
            {
                var request = HttpExtensions.Post(route.Path, json: "{}");
                request.Headers.TryAddWithoutValidation("Authorization", value);
                return request;
            });
        }

        yield return new("headers", "Content-Encoding gzip on a plain body", 400, "invalid_request", () =>
        {
            var request = HttpExtensions.Post(route.Path, bearer);
            request.Content = new ByteArrayContent([0x1F, 0x8B, 0x08, 0x00, 0x00]);
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Content.Headers.ContentEncoding.Add("gzip");
            return request;
        });
    }
}
