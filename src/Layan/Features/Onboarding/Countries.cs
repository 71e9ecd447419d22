using System.Globalization;

namespace Layan.Features.Onboarding;

/// <summary>Countries (ISO 3166-1 alpha-2) and IANA time zones as this machine's ICU and tz data know them.</summary>
internal static class Countries
{
    private static readonly Lazy<IReadOnlyDictionary<string, RegionInfo>> Regions = new(() =>
        CultureInfo.GetCultures(CultureTypes.SpecificCultures)
            .Select(c => { try { return new RegionInfo(c.Name); } catch (ArgumentException) { return null; } })
            .OfType<RegionInfo>()
            .Where(r => r.TwoLetterISORegionName.Length == 2 && r.TwoLetterISORegionName.All(char.IsAsciiLetterUpper))
            .DistinctBy(r => r.TwoLetterISORegionName)
            .ToDictionary(r => r.TwoLetterISORegionName, StringComparer.Ordinal));

    private static readonly Lazy<IReadOnlyList<string>> Zones = new(() =>
        [.. TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/', StringComparison.Ordinal)).Order(StringComparer.Ordinal)]);

    public static bool IsKnown(string? code) => code is not null && Regions.Value.ContainsKey(code);

    /// <summary>Code and English name, sorted by name.</summary>
    public static IReadOnlyList<(string Code, string Name)> All =>
        [.. Regions.Value.Values.Select(r => (r.TwoLetterISORegionName, r.EnglishName)).OrderBy(r => r.EnglishName, StringComparer.Ordinal)];

    public static IReadOnlyList<string> TimeZones => Zones.Value;

    public static bool IsTimeZone(string? id) => id is not null && TimeZones.Contains(id);
}
