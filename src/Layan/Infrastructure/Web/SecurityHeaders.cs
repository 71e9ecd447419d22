namespace Layan.Infrastructure.Web;

/// <summary>
/// Headers every response carries: no framing by other sites (one-click forms such as "End
/// session" cannot be clickjacked), no content sniffing (an upload is served as what it is), and
/// no full URLs leaking to other sites in the Referer.
/// </summary>
internal static class SecurityHeaders
{
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers.ContentSecurityPolicy = "frame-ancestors 'none'";
            headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
            return next(context);
        });
        return app;
    }
}
