using System.Globalization;
using System.Text.Json.Serialization;

namespace ConnectIssuer.Http;

/// <summary>Writes instants as RFC 3339 UTC with a <c>Z</c> and whole seconds (<c>2026-11-21T23:00:00Z</c>), as the contract shows.</summary>
internal sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}
