using Layan.Features.Accounts;
using Layan.Infrastructure.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Localization;
using Microsoft.AspNetCore.Mvc;

namespace Layan.Infrastructure.Localization;

internal static class LocalizationModule
{
    public static WebApplicationBuilder AddLayanLocalization(this WebApplicationBuilder builder)
    {
        builder.Services.AddLocalization();
        builder.Services.Configure<RequestLocalizationOptions>(options =>
        {
            var codes = SupportedLanguages.All.Select(l => l.Code).ToArray();
            options.SetDefaultCulture(SupportedLanguages.Default)
                .AddSupportedCultures(codes)
                .AddSupportedUICultures(codes);
            // Cookie first (the picker), then the browser's Accept-Language. The signed-in user's
            // profile language is written to the same cookie at sign-in.
            options.RequestCultureProviders =
            [
                new CookieRequestCultureProvider(),
                new AcceptLanguageHeaderRequestCultureProvider(),
            ];
        });
        return builder;
    }

    public static WebApplication UseLayanLocalization(this WebApplication app)
    {
        app.UseRequestLocalization();
        return app;
    }

    public static WebApplication MapLocalization(this WebApplication app)
    {
        // The language picker's form posts here (antiforgery-checked, as every form).
        app.MapPost("/culture", SetCulture).DisableRateLimiting().ExcludeFromDescription();
        app.MapApiGroup("languages", "Meta")
            .MapGet("", () => TypedResults.Ok(SupportedLanguages.All.Select(l => new LanguageDto(l.Code, l.NativeName))))
            .WithName("ListLanguages")
            .WithSummary("The languages Layan speaks.");
        return app;
    }

    private static async Task<Results<RedirectHttpResult, ValidationProblem>> SetCulture(
        [FromForm] string culture, [FromForm] string? returnUrl, HttpContext http, UserManager<User> users)
    {
        if (!SupportedLanguages.IsSupported(culture))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["culture"] = ["Choose one of: en, id, es."] });
        }
        WriteCultureCookie(http, culture);
        // Signed in: the profile remembers it too, for every device and every email.
        if (await users.GetUserAsync(http.User) is { } user && user.Language != culture)
        {
            user.Language = culture;
            await users.UpdateAsync(user);
        }
        return TypedResults.LocalRedirect(LocalUrl.OrDefault(returnUrl, "/"));
    }

    /// <summary>Remembers <paramref name="culture"/> for a year (also used at sign-in).</summary>
    public static void WriteCultureCookie(HttpContext http, string culture) =>
        http.Response.Cookies.Append(
            CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions
            {
                MaxAge = TimeSpan.FromDays(365),
                IsEssential = true,
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = http.Request.IsHttps,
            });

    internal sealed record LanguageDto(string Code, string Name);
}
