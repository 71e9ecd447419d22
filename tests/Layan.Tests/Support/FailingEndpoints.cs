using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;

namespace Layan.Tests.Support;

/// <summary>Adds routes that throw, with a secret in the message, to prove what leaves the app.</summary>
internal sealed class FailingEndpoints : IStartupFilter
{
    public const string Secret = "Password=hunter2 in the connection string";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        app.Map("/api/v1/test/boom", b => b.Run(_ => throw new InvalidOperationException(Secret)));
        app.Map("/test/boom", b => b.Run(_ => throw new InvalidOperationException(Secret)));
    };
}
