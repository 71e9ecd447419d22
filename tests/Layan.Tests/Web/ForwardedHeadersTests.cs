using System.Net;
using Layan.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Shouldly;

namespace Layan.Tests.Web;

// Covers the rate limiter behind a load balancer: X-Forwarded-For is believed only from the
// proxies listed in Network:TrustedProxies, so clients are limited one by one, and a client
// cannot pick its own address.
public sealed class ForwardedHeadersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Documentation addresses (RFC 5737): no traffic goes anywhere, they only fill RemoteIpAddress.
    private const string Proxy = "192.0.2.10";
    private const string Stranger = "198.51.100.20";

    private static Task<LayanApp> BehindAsync(string connectingFrom) =>
        LayanApp.OnFreshSqliteAsync(
            new Dictionary<string, string?> { ["RateLimits:GlobalPerMinute"] = "2", ["Network:TrustedProxies:0"] = Proxy },
            services => services.AddSingleton<IStartupFilter>(new ConnectingFrom(IPAddress.Parse(connectingFrom))));

    private static async Task<HttpStatusCode> AsClient(HttpClient client, string forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/languages");
        request.Headers.Add("X-Forwarded-For", forwardedFor);
        return (await client.SendAsync(request, Ct)).StatusCode;
    }

    [Fact]
    public async Task Behind_a_trusted_proxy_each_client_has_its_own_budget()
    {
        await using var app = await BehindAsync(connectingFrom: Proxy);
        using var client = app.Browser();

        (await AsClient(client, "203.0.113.7")).ShouldBe(HttpStatusCode.OK);
        (await AsClient(client, "203.0.113.7")).ShouldBe(HttpStatusCode.OK);
        (await AsClient(client, "203.0.113.7")).ShouldBe(HttpStatusCode.TooManyRequests);
        (await AsClient(client, "203.0.113.8")).ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task From_an_untrusted_address_the_header_is_ignored()
    {
        await using var app = await BehindAsync(connectingFrom: Stranger);
        using var client = app.Browser();

        (await AsClient(client, "203.0.113.1")).ShouldBe(HttpStatusCode.OK);
        (await AsClient(client, "203.0.113.2")).ShouldBe(HttpStatusCode.OK);
        (await AsClient(client, "203.0.113.3")).ShouldBe(HttpStatusCode.TooManyRequests, "a new X-Forwarded-For per request buys nothing");
    }

    /// <summary>Plays the network: every request arrives from <paramref name="address"/>.</summary>
    private sealed class ConnectingFrom(IPAddress address) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
