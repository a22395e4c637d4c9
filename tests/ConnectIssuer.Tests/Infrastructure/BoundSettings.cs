using System.Collections;
using System.Reflection;

namespace ConnectIssuer.Tests.Infrastructure;

/// <summary>
/// The settings the core library binds from configuration, found by reflection: every type with a
/// <c>public const string SectionName</c> is an options class bound from that section.
/// </summary>
internal static class BoundSettings
{
    public static IEnumerable<Type> OptionsTypes() =>
        typeof(Routes).Assembly.GetTypes().Where(type =>
            type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
            && field.FieldType == typeof(string));

    /// <summary>The section in app-setting form: <c>Auth</c>, or <c>A__B</c> for a nested section <c>A:B</c>.</summary>
    public static string Section(Type optionsType) =>
        ((string)optionsType.GetField("SectionName")!.GetRawConstantValue()!).Replace(":", "__", StringComparison.Ordinal);

    /// <summary>The properties the configuration binder sets: public, settable, not indexers.</summary>
    public static IEnumerable<PropertyInfo> Properties(Type optionsType) =>
        optionsType.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0);

    /// <summary>A value bound from one setting; anything else (arrays, maps, nested objects) binds from <c>Key__*</c>.</summary>
    public static bool IsScalar(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum
            || type == typeof(string) || type == typeof(decimal) || type == typeof(Uri) || type == typeof(Guid)
            || type == typeof(TimeSpan) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
            || !(typeof(IEnumerable).IsAssignableFrom(type) || type.IsClass);
    }

    /// <summary>A map bound from <c>Key__&lt;name&gt;</c> settings.</summary>
    public static bool IsDictionary(Type type) =>
        type.IsGenericType && type.GetInterfaces().Append(type).Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
}
