namespace Layan.Features.Inbox;

internal static class InboxModule
{
    public static WebApplicationBuilder AddInbox(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<InboxOptions>().Bind(builder.Configuration.GetSection(InboxOptions.Section));
        services.AddScoped<AgentLoad>();
        services.AddScoped<Router>();
        services.AddScoped<Conversations>();
        services.AddScoped<InboxQueries>();
        services.AddScoped<InboxNotifications>();
        services.AddScoped<Presence>();
        services.AddScoped<InboxSweep>();
        services.AddScoped<Infrastructure.Work.IWorkHandler<Infrastructure.Jobs.DueWork>, MoveRevokedHandler>();
        services.AddHostedService<InboxSweepService>();
        services.AddWidgetCors();
        return builder;
    }

    public static WebApplication MapInbox(this WebApplication app)
    {
        app.MapInboxEndpoints();
        app.MapWidgetEndpoints();
        return app;
    }
}
