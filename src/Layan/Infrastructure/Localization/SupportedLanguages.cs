using System.Globalization;

namespace Layan.Infrastructure.Localization;

/// <summary>The three languages of every page and email .</summary>
internal static class SupportedLanguages
{
    public const string Default = "en";

    /// <summary>Code and the language's own name, as the language picker shows it.</summary>
    public static readonly IReadOnlyList<(string Code, string NativeName)> All =
    [
        ("en", "English"),
        ("id", "Bahasa Indonesia"),
        ("es", "Español"),
    ];

    public static bool IsSupported(string? code) => All.Any(l => l.Code == code);

    public static CultureInfo CultureFor(string? code) =>
        CultureInfo.GetCultureInfo(IsSupported(code) ? code! : Default);

    /// <summary>Runs <paramref name="action"/> with the UI culture of <paramref name="language"/> (emails, texts, names stored in a language).</summary>
    public static T InLanguage<T>(string? language, Func<T> action)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureFor(language);
        try
        {
            return action();
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }
}
