using Layan.Components;
using Radzen;

namespace Layan.Infrastructure.Web;

/// <summary>
/// Blazor components rendered on the server (static SSR) with plain, antiforgery-checked forms;
/// Radzen for theme and components. Interactive render modes need blazor.web.js, which this
/// environment cannot restore (docs/adr/0003).
/// </summary>
internal static class WebUi
{
    public static WebApplicationBuilder AddWebUi(this WebApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents();
        builder.Services.AddOptions<PublicUrlOptions>().Bind(builder.Configuration.GetSection(PublicUrlOptions.Section));
        builder.Services.AddRadzenComponents();
        builder.Services.AddAntiforgery();
        return builder;
    }

    public static WebApplication UseWebUi(this WebApplication app)
    {
        app.UseAntiforgery();
        return app;
    }

    public static WebApplication MapWebUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>();
        return app;
    }
}
