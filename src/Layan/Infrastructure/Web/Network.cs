using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Layan.Infrastructure.Web;

/// <summary>
/// Section <c>Network</c>: the reverse proxies / load balancers whose <c>X-Forwarded-For</c> and
/// <c>X-Forwarded-Proto</c> are believed. Loopback is always trusted (a proxy on the same
/// machine); anything else must be listed, or a client could choose its own IP address and
/// escape the rate limits.
/// </summary>
internal sealed class NetworkOptions
{
    public const string Section = "Network";

    /// <summary>Proxy addresses, e.g. <c>["192.0.2.10"]</c>.</summary>
    public string[] TrustedProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>["10.0.0.0/8"]</c>.</summary>
    public string[] TrustedNetworks { get; set; } = [];
}

internal static class Network
{
    public static WebApplicationBuilder AddNetwork(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<NetworkOptions>().Bind(builder.Configuration.GetSection(NetworkOptions.Section));
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<NetworkOptions>>((options, network) =>
            {
                options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                foreach (var proxy in network.Value.TrustedProxies)
                {
                    options.KnownProxies.Add(IPAddress.Parse(proxy));
                }
                foreach (var cidr in network.Value.TrustedNetworks)
                {
                    options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(cidr));
                }
            });
        return builder;
    }

    /// <summary>First in the pipeline: everything after sees the client's address.</summary>
    public static WebApplication UseNetwork(this WebApplication app)
    {
        app.UseForwardedHeaders();
        return app;
    }
}
