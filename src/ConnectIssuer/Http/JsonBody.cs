using System.Buffers;
using System.Text.Unicode;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Net.Http.Headers;

namespace ConnectIssuer.Http;

/// <summary>
/// Reads a request body with the contract's limits: at most 16 KiB (<c>413</c>), JSON only (<c>415</c>),
/// well-formed and of the right shape (<c>400 invalid_request</c>). An absent or empty body reads as null.
/// </summary>
internal static class JsonBody
{
    public const int MaxBytes = 16 * 1024;

    public static async Task<T?> ReadAsync<T>(HttpRequest request, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength > MaxBytes)
        {
            throw TooLarge();
        }

        if (request.ContentLength is > 0 && !IsJson(request.ContentType))
        {
            throw UnsupportedMediaType();
        }

        var buffer = ArrayPool<byte>.Shared.Rent(MaxBytes + 1);
        try
        {
            var length = 0;
            int read;
            while (length <= MaxBytes
                && (read = await request.Body.ReadAsync(buffer.AsMemory(length, MaxBytes + 1 - length), cancellationToken)) > 0)
            {
                length += read;
            }

            if (length > MaxBytes)
            {
                throw TooLarge();
            }

            if (length == 0)
            {
                return null;
            }

            if (!IsJson(request.ContentType))
            {
                throw UnsupportedMediaType();
            }

            return Deserialize(buffer.AsMemory(0, length), typeInfo);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static readonly JsonDocumentOptions StrictDocument = new() { AllowDuplicateProperties = false, MaxDepth = 32 };

    private static T Deserialize<T>(ReadOnlyMemory<byte> json, JsonTypeInfo<T> typeInfo)
    {
        // The reader does not check skipped (unknown) members for valid UTF-8 or duplicate names; the
        // contract wants both refused, so the whole document is checked once before binding.
        if (!Utf8.IsValid(json.Span))
        {
            throw ApiProblemException.InvalidRequest("The request body is not valid UTF-8.");
        }

        try
        {
            using var document = JsonDocument.Parse(json, StrictDocument);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw ApiProblemException.InvalidRequest("The request body must be a JSON object.");
            }

            return document.RootElement.Deserialize(typeInfo)
                ?? throw ApiProblemException.InvalidRequest("The request body must be a JSON object.");
        }
        catch (JsonException exception)
        {
            // The reader's message can quote input; the path is enough to name the field.
            var field = FieldName(exception.Path);
            throw field is null
                ? ApiProblemException.InvalidRequest("The request body is not valid JSON for this route.")
                : ApiProblemException.InvalidField(field, "The value is missing, malformed or of the wrong type.");
        }
    }

    private static string? FieldName(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        var name = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        var end = name.IndexOfAny(['.', '[']);
        name = end > 0 ? name[..end] : name;
        return name.Length is > 0 and <= 64 && name.All(char.IsAsciiLetterOrDigit) ? name : null;
    }

    private static bool IsJson(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType))
        {
            return false;
        }

        var charset = mediaType.Charset;
        var utf8 = !charset.HasValue
            || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase);
        return utf8
            && (mediaType.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || (mediaType.Type.Equals("application", StringComparison.OrdinalIgnoreCase)
                    && mediaType.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)));
    }

    private static ApiProblemException TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, ProblemCodes.PayloadTooLarge, $"The request body is larger than {MaxBytes} bytes.");

    private static ApiProblemException UnsupportedMediaType() =>
        new(StatusCodes.Status415UnsupportedMediaType, ProblemCodes.UnsupportedMediaType, "The request body must be application/json (UTF-8).");
}
